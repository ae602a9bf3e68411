import { randomUUID } from 'node:crypto';
import { aiTasks, emailDigestSubscriptions, emailOutbox, emailOutboxRecipients, tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { startTestSmtpServer, type TestSmtpServer } from '@foreman/mail/testing';
import { processEmailQueueTask } from '../src/tasks/process-email-queue.js';
import { sendDailyEmailSummaryTask } from '../src/tasks/send-daily-email-summary.js';

const context = { taskId: 't', signal: new AbortController().signal, progress: async () => {} } as never;

describe('email.send_daily_email_summary', () => {
  let smtp: TestSmtpServer;
  let testDb: TestDatabase;
  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    testDb = await createTestDatabase('digest');
  });
  afterAll(async () => {
    await smtp.close();
    await testDb.drop();
  });

  it("queues each subscriber's digest once, skips a bad address, and the outbox delivers it", async () => {
    const db = testDb.database.db;
    const day = '2026-03-14';
    const during = new Date('2026-03-14T10:00:00Z');
    const record = (userId: string, status: 'completed' | 'failed', error: string | null = null) => ({
      id: randomUUID(),
      name: 'sync.sync_calendar_events',
      queue: 'sync',
      userId,
      status,
      error,
      createdAt: during,
    });
    await db
      .insert(tasks)
      .values([
        record('ada', 'completed'),
        record('ada', 'completed'),
        record('ada', 'failed', 'feed answered 404'),
        { ...record('ada', 'completed'), createdAt: new Date('2026-03-13T10:00:00Z') },
        record('bob', 'completed'),
      ]);
    await db.insert(aiTasks).values({
      userId: 'ada',
      name: 'Morning briefing',
      prompt: 'p',
      lastRunAt: during,
      lastResult: 'Three meetings today.',
    });
    await db.insert(emailDigestSubscriptions).values([
      { userId: 'ada', address: 'ada@example.test' },
      { userId: 'bob', address: 'bob at example' },
      { userId: 'cy', address: 'cy@example.test' },
      { userId: 'off', address: 'off@example.test', enabled: false },
    ]);

    const task = sendDailyEmailSummaryTask({ db });
    const result = await task.handler({ day }, context);
    expect(result).toMatchObject({ day, users: 3, queued: 2, alreadyQueued: 0 });
    expect(result.errors).toEqual([{ id: 'bob', error: '"bob at example" is not a valid email address' }]);
    expect(await task.handler({ day }, context)).toMatchObject({ queued: 0, alreadyQueued: 2 });
    expect(await db.select().from(emailOutbox)).toHaveLength(2);
    expect(await db.select().from(emailOutboxRecipients)).toHaveLength(2);

    await processEmailQueueTask({
      db,
      transport: smtp.transport(),
      from: 'foreman@example.test',
      maxAttempts: 3,
      staleSendingMs: 60_000,
    }).handler({ limit: 10 }, context);
    expect(smtp.deliveries()).toEqual(['ada@example.test', 'cy@example.test']);
    const digest = smtp.received.find((message) => message.to.includes('ada@example.test'))!.raw;
    expect(digest).toContain('Subject: Foreman summary for 2026-03-14: 3 tasks, 1 failed');
    expect(digest).toContain('completed: 2');
    expect(digest).toContain('sync.sync_calendar_events: feed answered 404');
    expect(digest).toContain('Morning briefing: Three meetings today.');
    const empty = smtp.received.find((message) => message.to.includes('cy@example.test'))!.raw;
    expect(empty).toContain('No tasks ran.');
  });
});
