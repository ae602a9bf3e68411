export type { FetchMessageObject, ImapFlow } from 'imapflow';
export { type MailboxCredentials, mailboxCredentialsSchema } from './credentials.js';
export { type HostPolicy, resolveImapHost } from './host-guard.js';
export {
  closeImapSession,
  type ImapSessionOptions,
  type ImapTarget,
  openFolder,
  openImapSession,
} from './imap-session.js';
export { type MailboxAccess, mailboxAccess } from './mailbox-access.js';
export { MailboxConnector, type MailboxConnectorOptions, type RefreshOutcome } from './mailbox-connector.js';
export { MailboxError, type MailboxErrorCode } from './mailbox-error.js';
export { MailboxStore, type MailboxView, mailboxView, type NewMailbox } from './mailbox-store.js';
export { type MessageText, messageText } from './message-text.js';
export {
  type OAuthClient,
  type RefreshedToken,
  type RefreshOptions,
  refreshAccessToken,
} from './oauth-refresh.js';
export { type MailboxKey, parseMailboxKey, SecretBox } from './secret-box.js';
