import { emailOutbox, emailOutboxRecipients, eq } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { createSmtpTransport } from '@foreman/mail';
import { startTestSmtpServer, type TestSmtpServer } from '@foreman/mail/testing';
import { type ProcessEmailQueueDeps, processEmailQueueTask } from '../src/tasks/process-email-queue.js';

const context = { taskId: 't', signal: new AbortController().signal, progress: async () => {} } as never;

describe('email.process_email_queue over real SMTP and PostgreSQL', () => {
  let smtp: TestSmtpServer;
  let testDb: TestDatabase;
  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    testDb = await createTestDatabase('outbox');
  });
  afterAll(async () => {
    await smtp.close();
    await testDb.drop();
  });
  beforeEach(async () => {
    smtp.received.length = 0;
    smtp.state.rejectAll = false;
    await testDb.database.db.delete(emailOutboxRecipients);
    await testDb.database.db.delete(emailOutbox);
  });

  const db = () => testDb.database.db;
  const task = (overrides: Partial<ProcessEmailQueueDeps> = {}) =>
    processEmailQueueTask({
      db: db(),
      transport: smtp.transport(),
      from: 'Foreman <foreman@example.test>',
      maxAttempts: 3,
      staleSendingMs: 60_000,
      ...overrides,
    });
  const queue = async (subject: string, addresses: string[]) => {
    const [message] = await db()
      .insert(emailOutbox)
      .values({ subject, text: `body of ${subject}` })
      .returning();
    if (addresses.length > 0) {
      await db()
        .insert(emailOutboxRecipients)
        .values(addresses.map((address) => ({ messageId: message!.id, address })));
    }
    return message!;
  };
  const recipientsOf = (id: string) =>
    db()
      .select()
      .from(emailOutboxRecipients)
      .where(eq(emailOutboxRecipients.messageId, id))
      .then((rows) => Object.fromEntries(rows.map((row) => [row.address, row])));
  const messageRow = async (id: string) =>
    (await db().select().from(emailOutbox).where(eq(emailOutbox.id, id)))[0]!;

  it('sends each message, settles every recipient, and sends nothing twice on a second run', async () => {
    const plain = await queue('Hello', ['ada@example.test', 'bob@example.test']);
    const mixed = await queue('Mixed', ['cy@example.test', 'not an address', 'nobody@refused.test']);
    const empty = await queue('Nobody', []);

    const result = await task().handler({ limit: 100 }, context);
    expect(result).toMatchObject({ messages: 3, sent: 3, failed: 2, deferred: 0 });
    expect(smtp.deliveries()).toEqual(['ada@example.test', 'bob@example.test', 'cy@example.test']);
    const hello = smtp.received.find((message) => message.raw.includes('Subject: Hello'))!;
    expect(hello.raw).toContain(`Message-ID: <${plain.id}@foreman>`);
    expect(hello.raw).toContain('body of Hello');

    expect(await messageRow(plain.id)).toMatchObject({ status: 'sent' });
    expect(await messageRow(mixed.id)).toMatchObject({ status: 'partial' });
    expect(await messageRow(empty.id)).toMatchObject({ status: 'failed', lastError: 'no recipients' });
    const mixedRecipients = await recipientsOf(mixed.id);
    expect(mixedRecipients['cy@example.test']).toMatchObject({ status: 'sent' });
    expect(mixedRecipients['not an address']).toMatchObject({
      status: 'failed',
      error: 'not a valid email address',
    });
    expect(mixedRecipients['nobody@refused.test']?.status).toBe('failed');
    expect(mixedRecipients['nobody@refused.test']?.error).toMatch(/refused/);

    const again = await task().handler({ limit: 100 }, context);
    expect(again).toMatchObject({ messages: 0, sent: 0 });
    expect(smtp.received).toHaveLength(2);
  });

  it('never sends to a recipient twice when two runs overlap', async () => {
    for (let i = 0; i < 5; i += 1) await queue(`Batch ${i}`, [`r${i}@example.test`, `s${i}@example.test`]);
    await Promise.all([task().handler({ limit: 100 }, context), task().handler({ limit: 100 }, context)]);
    const deliveries = smtp.deliveries();
    expect(deliveries).toHaveLength(10);
    expect(new Set(deliveries).size).toBe(10);
  });

  it('fails, without resending, a recipient whose earlier send was interrupted', async () => {
    const message = await queue('Interrupted', ['lost@example.test', 'fresh@example.test']);
    await db()
      .update(emailOutboxRecipients)
      .set({ status: 'sending', claimedAt: new Date(Date.now() - 3_600_000) })
      .where(eq(emailOutboxRecipients.address, 'lost@example.test'));
    await task().handler({ limit: 100 }, context);
    expect(smtp.deliveries()).toEqual(['fresh@example.test']);
    const rows = await recipientsOf(message.id);
    expect(rows['lost@example.test']?.error).toMatch(/interrupted; not resent/);
    expect(await messageRow(message.id)).toMatchObject({ status: 'partial' });
  });

  it('keeps messages pending while the server is unreachable, then fails them after the last attempt', async () => {
    const message = await queue('Later', ['ada@example.test']);
    const unreachable = createSmtpTransport('smtp://127.0.0.1:1');
    const first = await task({ transport: unreachable, maxAttempts: 2 }).handler({ limit: 100 }, context);
    expect(first).toMatchObject({ deferred: 1, failed: 0 });
    expect(first.errors[0]?.error).toMatch(/ECONNREFUSED/);
    expect(await messageRow(message.id)).toMatchObject({ status: 'pending', attempts: 1 });
    expect((await recipientsOf(message.id))['ada@example.test']).toMatchObject({ status: 'pending' });

    const second = await task({ transport: unreachable, maxAttempts: 2 }).handler({ limit: 100 }, context);
    expect(second).toMatchObject({ deferred: 0, failed: 1 });
    expect(await messageRow(message.id)).toMatchObject({ status: 'failed', attempts: 2 });
    expect(smtp.received).toHaveLength(0);
  });

  it('fails for good the recipients a server refuses with 5xx, and carries on with the next message', async () => {
    const refused = await queue('Refused', ['x@example.test']);
    smtp.state.rejectAll = true;
    const result = await task().handler({ limit: 100 }, context);
    expect(result).toMatchObject({ failed: 1, deferred: 0 });
    expect(await messageRow(refused.id)).toMatchObject({ status: 'failed' });
  });
});
