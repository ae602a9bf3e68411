import { randomUUID } from 'node:crypto';
import { inboundEmails, tasks, userDailyAnalytics } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { updateAnalyticsTask } from '../src/tasks/update-analytics.js';

const context = { signal: new AbortController().signal, progress: async () => {} } as never;
const at = (time: string) => new Date(`2026-05-04T${time}:00.000Z`);

describe('maintenance.update_analytics', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase('update_analytics');
  });
  afterAll(() => testDb.drop());

  it("aggregates each user's mail, replies and task outcomes of one UTC day, and reruns in place", async () => {
    const db = testDb.database.db;
    const mail = (
      userId: string,
      fromAddress: string,
      subject: string,
      receivedAt: Date,
      category: string | null,
    ) => ({
      userId,
      fromAddress,
      subject,
      receivedAt,
      category,
      folder: 'INBOX',
    });
    await db.insert(inboundEmails).values([
      mail('ada', 'Bob <bob@example.test>', 'Lunch?', at('09:00'), 'personal'),
      mail('ada', 'boss@corp.test', 'Report', at('10:00'), 'work'),
      mail('ada', 'boss@corp.test', 'Budget', at('11:00'), 'work'),
      mail('ada', 'deals@shop.test', 'Sale', at('12:00'), null),
      // The day before and the day after are not this day's.
      mail('ada', 'boss@corp.test', 'Old', new Date('2026-05-03T23:59:00Z'), 'work'),
      mail('ada', 'boss@corp.test', 'New', new Date('2026-05-05T00:00:00Z'), 'work'),
      mail('cy', 'x@example.test', 'Hi', at('08:00'), 'other'),
      // Ada's replies: 30 minutes to Bob, 3 hours (the next day is fine) to the boss's report.
      {
        ...mail('ada', 'ada@example.test', 'Re: Lunch?', at('09:30'), null),
        folder: 'Sent',
        toAddresses: ['bob@example.test'],
      },
      {
        ...mail('ada', 'ada@example.test', 'RE: report', at('13:00'), null),
        folder: 'Sent Items',
        toAddresses: ['Boss <boss@corp.test>'],
      },
      // Same subject to someone else: not a reply to the budget mail.
      {
        ...mail('ada', 'ada@example.test', 'Re: Budget', at('14:00'), null),
        folder: 'Sent',
        toAddresses: ['x@y.test'],
      },
    ]);
    const task = (
      userId: string,
      name: string,
      status: 'completed' | 'failed' | 'cancelled' | 'running',
      completedAt: Date | null,
    ) => ({
      id: randomUUID(),
      name,
      queue: 'email',
      userId,
      status,
      createdAt: at('00:00'),
      completedAt,
    });
    await db
      .insert(tasks)
      .values([
        task('ada', 'email.send_email', 'completed', at('10:00')),
        task('ada', 'email.send_email', 'completed', at('11:00')),
        task('ada', 'email.send_email', 'failed', at('12:00')),
        task('ada', 'file.export_user_data', 'cancelled', at('13:00')),
        task('ada', 'email.send_email', 'running', null),
        task('ada', 'email.send_email', 'completed', new Date('2026-05-05T01:00:00Z')),
        task('dan', 'email.send_email', 'completed', at('15:00')),
      ]);

    const run = updateAnalyticsTask({ db, replyWindowDays: 7 });
    expect(await run.handler({ day: '2026-05-04' }, context)).toEqual({
      day: '2026-05-04',
      users: 3,
      errors: [],
    });
    const rows = Object.fromEntries(
      (await db.select().from(userDailyAnalytics)).map((row) => [row.userId, row]),
    );
    expect(rows.ada).toMatchObject({
      day: '2026-05-04',
      emailsReceived: 4,
      categories: { personal: 1, work: 2, uncategorized: 1 },
      replies: 2,
      // 30 and 180 minutes.
      medianResponseMinutes: 105,
      tasksCompleted: 2,
      tasksFailed: 1,
      tasksCancelled: 1,
      tasksByName: {
        'email.send_email': { completed: 2, failed: 1 },
        'file.export_user_data': { cancelled: 1 },
      },
    });
    expect(rows.cy).toMatchObject({
      emailsReceived: 1,
      replies: 0,
      medianResponseMinutes: null,
      tasksCompleted: 0,
    });
    expect(rows.dan).toMatchObject({ emailsReceived: 0, categories: {}, tasksCompleted: 1 });

    // A rerun for one user replaces that user's row with the day's figures, not a second row.
    await db.insert(inboundEmails).values(mail('ada', 'z@example.test', 'Late sync', at('20:00'), 'other'));
    await run.handler({ day: '2026-05-04', userId: 'ada' }, context);
    const again = await db.select().from(userDailyAnalytics);
    expect(again).toHaveLength(3);
    expect(again.find((row) => row.userId === 'ada')).toMatchObject({ emailsReceived: 5 });
  });
});
