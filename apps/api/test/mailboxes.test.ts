import { randomBytes } from 'node:crypto';
import { mailboxEnvSchema } from '@foreman/config';
import { mailboxes } from '@foreman/db';
import { mailboxAccess } from '@foreman/imap';
import {
  startDovecot,
  startTokenServer,
  type TestDovecot,
  type TestTokenServer,
} from '@foreman/imap/testing';
import { startTestApi, type TestApi } from './test-api.js';

const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;

interface Answer {
  error: { code: string };
  mailboxes: Array<{ id: string }>;
  taskTypes: Array<{ name: string }>;
}
const read = async (response: Response | Promise<Response>) => (await (await response).json()) as Answer;

describe('mailboxes api', () => {
  let dovecot: TestDovecot;
  let tokens: TestTokenServer;
  let api: TestApi;
  const env = (extra: Record<string, string> = {}) =>
    mailboxEnvSchema.parse({
      MAILBOX_SECRET_KEY: `k1:${randomBytes(32).toString('base64')}`,
      MAILBOX_ALLOW_PRIVATE_HOSTS: 'true',
      ...extra,
    });

  beforeAll(async () => {
    tokens = await startTokenServer();
    dovecot = await startDovecot({ oauthIntrospectionUrl: tokens.introspectionUrl });
    dovecot.addUser('alice', PASSWORD);
    api = await startTestApi('mailboxes', (_redis, testDb) => ({
      mailboxes: mailboxAccess(testDb.database.db, env()),
    }));
  }, 30_000);
  afterAll(async () => {
    await dovecot?.stop();
    await tokens?.close();
    await api?.close();
  });

  const connect = (key: string, body: Record<string, unknown>) =>
    api.call(key, '/mailboxes', {
      method: 'POST',
      body: JSON.stringify({
        host: dovecot.host,
        port: dovecot.port,
        tls: false,
        username: 'alice',
        ...body,
      }),
    });

  it('connects a mailbox only after a login, stores the password sealed and never answers with it', async () => {
    const refused = await connect(api.aliceKey, { password: 'wrong' });
    expect(refused.status).toBe(422);
    expect((await read(refused)).error.code).toBe('MAILBOX_AUTH_FAILED');
    expect(await api.testDb.database.db.select().from(mailboxes)).toHaveLength(0);

    const both = await connect(api.aliceKey, { password: PASSWORD, oauth: { accessToken: 'x' } });
    expect(both.status).toBe(400);

    const created = await connect(api.aliceKey, { password: PASSWORD, folders: ['INBOX', 'Archive'] });
    const text = await created.text();
    expect(created.status).toBe(201);
    expect(text).not.toContain(PASSWORD);
    const view = JSON.parse(text);
    expect(view).toMatchObject({ userId: 'alice', authKind: 'password', folders: ['INBOX', 'Archive'] });
    expect(view).not.toHaveProperty('secret');

    const [row] = await api.testDb.database.db.select().from(mailboxes);
    expect(row?.secret).toMatch(/^v1:k1:/);
    expect(row?.secret).not.toContain(PASSWORD);
    expect(Buffer.from(row!.secret.split(':').at(-1)!, 'base64url').toString()).not.toContain(PASSWORD);

    const again = await connect(api.aliceKey, { password: PASSWORD });
    expect(again.status).toBe(409);
    expect((await read(again)).error.code).toBe('MAILBOX_EXISTS');
  });

  it('connects a mailbox with OAuth tokens (XOAUTH2) and answers with their expiry, never the tokens', async () => {
    const issued = tokens.issue('olivia');
    const response = await connect(api.bobKey, {
      username: 'olivia',
      oauth: { ...issued, expiresIn: 3_600, tokenEndpoint: tokens.tokenUrl, clientId: 'foreman-test' },
    });
    const text = await response.text();
    expect(response.status).toBe(201);
    expect(text).not.toContain(issued.accessToken);
    expect(text).not.toContain(issued.refreshToken);
    const view = JSON.parse(text);
    expect(view).toMatchObject({ userId: 'bob', authKind: 'oauth', tokenEndpoint: tokens.tokenUrl });
    expect(Date.parse(view.tokenExpiresAt)).toBeGreaterThan(Date.now() + 3_500_000);

    tokens.expire(issued.accessToken);
    const refused = await connect(api.bobKey, {
      username: 'olivia',
      oauth: { accessToken: issued.accessToken },
    });
    expect(refused.status).toBe(422);
    const removed = await api.call(api.bobKey, `/mailboxes/${view.id}`, { method: 'DELETE' });
    expect(removed.status).toBe(204);
  });

  it('lists and removes only the owner’s mailboxes; tasks on another user’s mailbox are refused', async () => {
    const list = async (key: string) => (await read(api.call(key, '/mailboxes'))).mailboxes;
    const [mine] = (await list(api.aliceKey)) as [{ id: string }];
    expect(await list(api.bobKey)).toEqual([]);
    expect(await list(api.adminKey)).toHaveLength(1);
    expect(JSON.stringify(await list(api.adminKey))).not.toContain(PASSWORD);

    const submit = (key: string) =>
      api.call(key, '/tasks/email.sync_user_emails', {
        method: 'POST',
        body: JSON.stringify({ mailboxId: mine.id }),
      });
    expect((await submit(api.bobKey)).status).toBe(403);
    expect((await submit(api.aliceKey)).status).toBe(202);

    expect((await api.call(api.bobKey, `/mailboxes/${mine.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await api.call(api.aliceKey, `/mailboxes/${mine.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await list(api.aliceKey)).toEqual([]);
  });

  it('refuses hosts that are not public unless allowed, and lists every mailbox task type', async () => {
    const guarded = api.replica({
      mailboxes: mailboxAccess(api.testDb.database.db, env({ MAILBOX_ALLOW_PRIVATE_HOSTS: 'false' })),
    });
    const response = await guarded.request('/mailboxes', {
      method: 'POST',
      headers: { authorization: `Bearer ${api.aliceKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        host: '127.0.0.1',
        port: dovecot.port,
        tls: false,
        username: 'alice',
        password: PASSWORD,
      }),
    });
    expect(response.status).toBe(400);
    expect((await read(response)).error.code).toBe('MAILBOX_HOST_NOT_ALLOWED');

    const types = (await read(api.call(api.aliceKey, '/task-types'))).taskTypes.map((type) => type.name);
    expect(types).toEqual(
      expect.arrayContaining([
        'email.sync_user_emails',
        'email.incremental_sync',
        'email.sync_email_metadata',
        'email.cleanup_old_emails',
        'email.bulk_delete_emails',
        'email.bulk_archive_emails',
        'email.bulk_label_emails',
        'maintenance.cleanup_expired_tokens',
        'maintenance.rotate_mailbox_secrets',
      ]),
    );
  });
});
