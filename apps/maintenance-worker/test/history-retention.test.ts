import { randomUUID } from 'node:crypto';
import {
  deadLetters,
  eq,
  findTask,
  HistoryPartitions,
  partitionName,
  sql,
  taskIds,
  tasks,
  weekStart,
} from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { enforceRetentionPolicyTask } from '../src/tasks/enforce-retention-policy.js';

const context = { signal: new AbortController().signal, progress: async () => {} } as never;
const WEEK = 7 * 86_400_000;
const RETENTION = { retentionDays: 30, batchSize: 1_000, partitionWeeksAhead: 4 };

describe('history retention by partitions', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase('histret');
  });
  afterAll(() => testDb.drop());

  const record = (status: 'completed' | 'failed' | 'running', createdAt: Date) => ({
    id: randomUUID(),
    name: 'email.process_email_queue',
    queue: 'email',
    status,
    createdAt,
    completedAt: status === 'running' ? null : createdAt,
  });

  it('drops the weeks older than the window, keeps newer ones and the rows it always kept', async () => {
    const { db } = testDb.database;
    const old = weekStart(new Date(Date.now() - 20 * WEEK));
    const older = new Date(old.getTime() + 3_600_000);
    const lessOld = new Date(old.getTime() + WEEK + 3_600_000);
    // Old weeks, as if the history had been running for months.
    await new HistoryPartitions({ db, weeksAhead: 1 }).createAhead(old);

    const finished = [record('completed', older), record('failed', older), record('completed', lessOld)];
    const running = record('running', older);
    const dead = record('failed', lessOld);
    const replayed = record('failed', lessOld);
    const recent = record('completed', new Date());
    await db.insert(tasks).values([...finished, running, dead, replayed, recent]);
    const letter = (task: typeof dead, replayedAs: string | null) => ({
      taskId: task.id,
      name: task.name,
      queue: task.queue,
      error: 'boom',
      attempts: 3,
      failedAt: task.createdAt,
      taskCreatedAt: task.createdAt,
      replayedAs,
    });
    await db.insert(deadLetters).values([letter(dead, null), letter(replayed, randomUUID())]);
    const placed = async (id: string) =>
      (
        await db.execute<{ partition: string }>(
          sql`select tableoid::regclass::text as partition from tasks where id = ${id}`,
        )
      ).rows[0]?.partition;
    expect(await placed(running.id)).toBe(partitionName('tasks', old));
    const newerPartitions = (await new HistoryPartitions({ db }).list())
      .filter((partition) => partition.from.getTime() > old.getTime() + WEEK)
      .map((partition) => partition.name);

    const result = await enforceRetentionPolicyTask({ db, ...RETENTION }).handler({}, context);

    const oldNames = [old, new Date(old.getTime() + WEEK)].flatMap((week) => [
      partitionName('tasks', week),
      partitionName('dead_letters', week),
    ]);
    expect(result.droppedPartitions.sort()).toEqual(oldNames.sort());
    // The unfinished task and the letter not replayed stay, now in the DEFAULT partitions.
    expect(result.kept).toBe(2);
    const left = (await new HistoryPartitions({ db }).list()).map((partition) => partition.name);
    for (const name of oldNames) expect(left).not.toContain(name);
    expect(left).toEqual(expect.arrayContaining(newerPartitions));
    const { rows: tables } = await db.execute<{ name: string }>(
      sql`select relname as name from pg_class where relnamespace = current_schema()::regnamespace and relname in ${oldNames}`,
    );
    expect(tables).toEqual([]);

    const found = async (id: string) => ((await findTask(db, id)) ? 1 : 0);
    for (const task of [...finished, dead, replayed]) expect(await found(task.id)).toBe(0);
    expect(await found(recent.id)).toBe(1);
    expect(await found(running.id)).toBe(1);
    expect(await placed(running.id)).toBe('tasks_default');
    expect(await db.select().from(deadLetters).where(eq(deadLetters.taskId, dead.id))).toHaveLength(1);
    expect(await db.select().from(deadLetters).where(eq(deadLetters.taskId, replayed.id))).toHaveLength(0);
    // The ids of the tasks that went go too; those that stay keep theirs.
    const ids = (await db.select({ id: taskIds.id }).from(taskIds)).map((row) => row.id).sort();
    expect(ids).toEqual([running.id, recent.id].sort());
  });
});
