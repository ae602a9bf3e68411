import { ApprovalStore, aiApprovals, eq } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

describe('ApprovalStore', () => {
  let testDb: TestDatabase;
  let store: ApprovalStore;

  beforeAll(async () => {
    testDb = await createTestDatabase('ai_approvals');
    store = new ApprovalStore(testDb.database.db);
  });
  afterAll(() => testDb.drop());

  const approval = (taskId: string, deadline = new Date(Date.now() + 60_000)) => ({
    taskId,
    stepIndex: 3,
    userId: 'alice',
    question: 'Send it?',
    deadline,
  });

  it('keeps only a hash of the token, and a reopened approval keeps its deadline with a new token', async () => {
    const first = await store.open(approval('t1'));
    const rows = await testDb.database.db.select().from(aiApprovals).where(eq(aiApprovals.taskId, 't1'));
    expect(JSON.stringify(rows)).not.toContain(first.token);

    const again = await store.open(approval('t1', new Date(Date.now() + 600_000)));
    expect(again.token).not.toBe(first.token);
    expect(again.approval.deadline).toEqual(first.approval.deadline);
    expect(
      await store.decide({ taskId: 't1', token: first.token!, decision: 'approved', decidedBy: 'alice' }),
    ).toBe('UNKNOWN_TOKEN');
  });

  it('decides once, with the token of its own task', async () => {
    const { token } = await store.open(approval('t2'));
    const signal = { token: token!, decision: 'denied' as const, comment: 'not now', decidedBy: 'admin' };
    expect(await store.decide({ ...signal, taskId: 'other' })).toBe('UNKNOWN_TOKEN');
    const decided = await store.decide({ ...signal, taskId: 't2' });
    expect(decided).toMatchObject({ decision: 'denied', comment: 'not now', decidedBy: 'admin' });
    expect(await store.decide({ ...signal, taskId: 't2', decision: 'approved' })).toBe('ALREADY_DECIDED');
    // Reopened once decided (the woken step), it is returned as decided, without a token.
    const reopened = await store.open(approval('t2'));
    expect(reopened.token).toBeUndefined();
    expect(reopened.approval.decision).toBe('denied');
  });

  it('refuses a decision past the deadline and mints no token for it', async () => {
    const { token } = await store.open(approval('t3', new Date(Date.now() - 1_000)));
    expect(
      await store.decide({ taskId: 't3', token: token!, decision: 'approved', decidedBy: 'alice' }),
    ).toBe('EXPIRED');
    expect((await store.open(approval('t3'))).token).toBeUndefined();
  });
});
