/**
 * Test helpers (`@foreman/imap/testing`): a real Dovecot IMAP server and a small OAuth provider,
 * both on loopback, each started and stopped by the test that needs it.
 */
export { type DovecotOptions, type SeedMessage, startDovecot, type TestDovecot } from './testing/dovecot.js';
export { type IssuedTokens, startTokenServer, type TestTokenServer } from './testing/token-server.js';
