import { and, emailFeedback, emailSenderReputation, eq, inboundEmails } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { classifyEmailBatchTask } from '../src/tasks/classify-email-batch.js';
import { updateSenderReputationTask } from '../src/tasks/update-sender-reputation.js';

const context = { signal: new AbortController().signal, progress: async () => {} } as never;

describe('email.update_sender_reputation', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase('sender_reputation');
  });
  afterAll(() => testDb.drop());

  const settings = {
    categories: ['work', 'personal'],
    defaultCategory: 'other',
    spamCategory: 'spam',
    lowReputationScore: -0.4,
    highReputationScore: 0.4,
    useAiByDefault: false,
  };

  it('scores senders from what the user does with their mail, and sends low scorers to spam', async () => {
    const db = testDb.database.db;
    const mail = (fromAddress: string, folder: string, flags: string[]) => ({
      userId: 'ada',
      fromAddress,
      subject: 'hello',
      folder,
      flags,
      categorizedAt: new Date(),
      category: 'other',
    });
    const rows = await db
      .insert(inboundEmails)
      .values([
        // Junked, archived unread, flagged $Junk: a sender the user does not want.
        mail('Deals <deals@bulk.test>', 'Junk', []),
        mail('Deals <deals@bulk.test>', 'Archive', []),
        mail('Deals <deals@bulk.test>', 'INBOX', ['$Junk']),
        mail('Deals <deals@bulk.test>', 'Junk', ['\\Seen']),
        // Read and answered: a sender the user cares about.
        mail('Friend <friend@mail.test>', 'INBOX', ['\\Seen', '\\Answered']),
        mail('Friend <friend@mail.test>', 'INBOX', ['\\Seen', '\\Answered']),
        mail('Friend <friend@mail.test>', 'Archive', ['\\Seen']),
        // Read once, never answered: in between.
        mail('news@list.test', 'INBOX', ['\\Seen']),
        // Unread in the inbox, but corrected to spam by the user.
        mail('odd@mail.test', 'INBOX', []),
        mail('odd@mail.test', 'INBOX', []),
      ])
      .returning({ id: inboundEmails.id });
    await db.insert(emailFeedback).values([
      { userId: 'ada', emailId: rows[8]?.id as string, category: 'spam' },
      { userId: 'ada', emailId: rows[9]?.id as string, category: 'spam' },
    ]);
    // Another user's behaviour says nothing about ada's senders.
    await db
      .insert(inboundEmails)
      .values({ ...mail('Friend <friend@mail.test>', 'Junk', []), userId: 'bob' });

    const task = updateSenderReputationTask({ db, ...settings });
    expect(await task.handler({ userId: 'ada' }, context)).toEqual({ senders: 4, low: 2, high: 1 });
    const scores = Object.fromEntries(
      (await db.select().from(emailSenderReputation).where(eq(emailSenderReputation.userId, 'ada'))).map(
        (row) => [row.sender, row],
      ),
    );
    expect(scores['deals@bulk.test']).toMatchObject({ messages: 4, junk: 3, archivedUnread: 1, seen: 1 });
    expect(scores['deals@bulk.test']?.score).toBeLessThanOrEqual(-0.4);
    expect(scores['friend@mail.test']).toMatchObject({ messages: 3, seen: 3, answered: 2 });
    expect(scores['friend@mail.test']?.score).toBeGreaterThanOrEqual(0.4);
    expect(scores['news@list.test']?.score).toBeGreaterThan(-0.4);
    expect(scores['news@list.test']?.score).toBeLessThan(0.4);
    expect(scores['odd@mail.test']).toMatchObject({ correctedSpam: 2 });
    // Recomputed whole: a second run gives the same rows, not more.
    await task.handler({ userId: 'ada' }, context);
    expect(
      await db.select().from(emailSenderReputation).where(eq(emailSenderReputation.userId, 'ada')),
    ).toHaveLength(4);

    // New mail from each sender: only the low scorer's goes to spam, decided by its reputation.
    const fresh = await db
      .insert(inboundEmails)
      .values([
        { userId: 'ada', fromAddress: 'Deals <deals@bulk.test>', subject: 'Last chance' },
        { userId: 'ada', fromAddress: 'Friend <friend@mail.test>', subject: 'Lunch' },
      ])
      .returning({ id: inboundEmails.id });
    await classifyEmailBatchTask({ db, ...settings }).handler(
      { userId: 'ada', limit: 100, reclassify: false },
      context,
    );
    const [deals] = await db
      .select()
      .from(inboundEmails)
      .where(eq(inboundEmails.id, fresh[0]?.id as string));
    const [friend] = await db
      .select()
      .from(inboundEmails)
      .where(eq(inboundEmails.id, fresh[1]?.id as string));
    expect(deals).toMatchObject({ category: 'spam', categorizedBy: 'reputation' });
    expect(friend).toMatchObject({ category: 'other', categorizedBy: 'default' });

    // Without the scores, the same message is not sent to spam: the reputation made the difference.
    await db.delete(emailSenderReputation).where(eq(emailSenderReputation.userId, 'ada'));
    await classifyEmailBatchTask({ db, ...settings }).handler(
      { userId: 'ada', limit: 100, reclassify: true },
      context,
    );
    const [again] = await db
      .select()
      .from(inboundEmails)
      .where(and(eq(inboundEmails.id, fresh[0]?.id as string)));
    expect(again).toMatchObject({ category: 'other', categorizedBy: 'default' });
  });
});
