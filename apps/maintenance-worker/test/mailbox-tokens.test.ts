import { randomBytes } from 'node:crypto';
import { eq, mailboxes } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { closeImapSession, MailboxConnector, MailboxStore, type MailboxView, SecretBox } from '@foreman/imap';
import {
  startDovecot,
  startTokenServer,
  type TestDovecot,
  type TestTokenServer,
} from '@foreman/imap/testing';
import { GuardedFetch } from '@foreman/net';
import { cleanupExpiredTokensTask, rotateMailboxSecretsTask } from '../src/tasks/mailbox-tokens.js';

const context = { signal: new AbortController().signal, progress: async () => {} } as never;
const key = (id: string) => ({ id, key: randomBytes(32) });

describe('OAuth mailbox tokens and secret rotation', () => {
  let tokens: TestTokenServer;
  let dovecot: TestDovecot;
  let testDb: TestDatabase;
  let store: MailboxStore;
  let connector: MailboxConnector;
  const k1 = key('k1');

  beforeAll(async () => {
    tokens = await startTokenServer('foreman-test');
    dovecot = await startDovecot({ oauthIntrospectionUrl: tokens.introspectionUrl });
    testDb = await createTestDatabase('mailbox_tokens');
    store = new MailboxStore(testDb.database.db, new SecretBox(k1));
    connector = new MailboxConnector({
      store,
      hosts: { allowPrivate: true },
      fetch: new GuardedFetch({ allowPrivate: true }),
    });
  }, 30_000);
  afterAll(async () => {
    await dovecot?.stop();
    await tokens?.close();
    await testDb?.drop();
  });

  const connect = async (user: string, expiresInMs: number, tokenEndpoint = tokens.tokenUrl) => {
    const issued = tokens.issue(user);
    const view = await store.create({
      userId: user,
      host: dovecot.host,
      port: dovecot.port,
      tls: false,
      username: user,
      credentials: { kind: 'oauth', ...issued, clientId: 'foreman-test' },
      tokenEndpoint,
      tokenExpiresAt: new Date(Date.now() + expiresInMs),
    });
    return { view, issued };
  };
  const row = (view: MailboxView) => store.get(view.id);
  const task = () =>
    cleanupExpiredTokensTask({
      db: testDb.database.db,
      access: { store, connector },
      refreshWithinMinutes: 15,
    });

  it('logs in to Dovecot with XOAUTH2, and refreshes a token the server refuses before trying again', async () => {
    const { view, issued } = await connect('carol', 3_600_000);
    const client = await connector.open(await row(view));
    expect((await client.mailboxOpen('INBOX')).path).toBe('INBOX');
    await closeImapSession(client);

    tokens.expire(issued.accessToken);
    const again = await connector.open(await row(view));
    await closeImapSession(again);
    expect(tokens.grants.at(-1)).toMatchObject({
      grant_type: 'refresh_token',
      refresh_token: issued.refreshToken,
    });
    const stored = store.credentials(await row(view));
    expect(stored).toMatchObject({ kind: 'oauth', clientId: 'foreman-test' });
    expect(stored.kind === 'oauth' && stored.accessToken).not.toBe(issued.accessToken);
  });

  it('refreshes tokens close to expiry, and marks a mailbox whose grant was revoked as needing re-consent', async () => {
    const soon = await connect('dave', 60_000);
    const revoked = await connect('erin', 30_000);
    tokens.revoke(revoked.issued.refreshToken);
    const unreachable = await connect('fred', 30_000, 'http://127.0.0.1:9/token');
    const later = await connect('gina', 3 * 3_600_000);
    // Without a refresh token: kept while its token is valid, given up once it has expired.
    const lasting = await store.create({
      userId: 'hugo',
      host: dovecot.host,
      port: dovecot.port,
      tls: false,
      username: 'hugo',
      credentials: { kind: 'oauth', accessToken: tokens.issue('hugo').accessToken },
      tokenExpiresAt: new Date(Date.now() + 5 * 60_000),
    });
    const lapsed = await store.create({
      userId: 'ivy',
      host: dovecot.host,
      port: dovecot.port,
      tls: false,
      username: 'ivy',
      credentials: { kind: 'oauth', accessToken: tokens.issue('ivy').accessToken },
      tokenExpiresAt: new Date(Date.now() - 60_000),
    });

    const result = await task().handler({}, context);
    expect(result).toMatchObject({ checked: 5, refreshed: 1, needsReconsent: 2 });
    expect(result.errors).toEqual([{ id: unreachable.view.id, error: expect.stringMatching(/unreachable/) }]);

    const refreshed = await row(soon.view);
    expect(refreshed.tokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(refreshed.secret).not.toContain(soon.issued.accessToken);
    const client = await connector.open(refreshed);
    await closeImapSession(client);

    const gone = await row(revoked.view);
    expect(gone).toMatchObject({ needsReconsent: true, tokenExpiresAt: null });
    expect(JSON.stringify(store.credentials(gone))).not.toContain(revoked.issued.refreshToken);
    await expect(connector.open(gone)).rejects.toMatchObject({ code: 'MAILBOX_NEEDS_RECONSENT' });
    expect(await row(unreachable.view)).toMatchObject({
      needsReconsent: false,
      lastError: expect.any(String),
    });
    expect(await row(lasting)).toMatchObject({
      needsReconsent: false,
      tokenExpiresAt: lasting.tokenExpiresAt,
    });
    expect(await row(lapsed)).toMatchObject({
      needsReconsent: true,
      lastError: expect.stringMatching(/refresh token/),
    });
    expect(await row(later.view)).toMatchObject({
      tokenExpiresAt: later.view.tokenExpiresAt,
      lastError: null,
    });
  });

  it('rotates every secret to a new key, after which the old key is no longer needed', async () => {
    const before = await testDb.database.db.select().from(mailboxes);
    const k2 = key('k2');
    const rotating = new MailboxStore(testDb.database.db, new SecretBox(k2, [k1]));
    const rotate = rotateMailboxSecretsTask({ access: { store: rotating, connector } });
    expect(await rotate.handler({ batchSize: 2 }, context)).toEqual({ rotated: before.length, keyId: 'k2' });
    expect(await rotate.handler({ batchSize: 2 }, context)).toEqual({ rotated: 0, keyId: 'k2' });

    const onlyNew = new MailboxStore(testDb.database.db, new SecretBox(k2));
    const onlyOld = new MailboxStore(testDb.database.db, new SecretBox(k1));
    for (const original of before) {
      const [after] = await testDb.database.db.select().from(mailboxes).where(eq(mailboxes.id, original.id));
      expect(after).toMatchObject({ secretKeyId: 'k2' });
      expect(onlyNew.credentials(after!)).toEqual(store.credentials(original));
      expect(() => onlyOld.credentials(after!)).toThrow(
        expect.objectContaining({ code: 'MAILBOX_KEY_UNKNOWN' }),
      );
    }
  });
});
