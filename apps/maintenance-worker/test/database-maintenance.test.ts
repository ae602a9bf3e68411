import { randomUUID } from 'node:crypto';
import { waitFor } from '@foreman/core/testing';
import { count, eq, sql, tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import pg from 'pg';
import { enforceRetentionPolicyTask } from '../src/tasks/enforce-retention-policy.js';
import { optimizeDatabaseTask } from '../src/tasks/optimize-database.js';

const context = { signal: new AbortController().signal, progress: async () => {} } as never;
const DAY = 86_400_000;
const RETENTION = { retentionDays: 30, batchSize: 1_000, partitionWeeksAhead: 4 };

describe('database maintenance on PostgreSQL', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase('maintdb');
  });
  afterAll(() => testDb.drop());

  const record = (status: 'completed' | 'failed' | 'running' | 'cancelled', ageDays: number) => ({
    id: randomUUID(),
    name: 'email.process_email_queue',
    queue: 'email',
    status,
    createdAt: new Date(Date.now() - ageDays * DAY),
    completedAt: status === 'running' ? null : new Date(Date.now() - ageDays * DAY),
  });

  it('deletes old finished records in batches, skipping rows another transaction holds', async () => {
    const db = testDb.database.db;
    const old = Array.from({ length: 2_500 }, (_, i) => record(i % 3 === 0 ? 'failed' : 'completed', 40));
    for (let i = 0; i < old.length; i += 500) await db.insert(tasks).values(old.slice(i, i + 500));
    const running = record('running', 40);
    const recent = record('completed', 1);
    const held = record('cancelled', 40);
    await db.insert(tasks).values([running, recent, held]);

    // Another session holds a lock on one old row for the whole run: the clean-up must not wait.
    const other = new pg.Client({ connectionString: testDb.url, options: `-c search_path=${testDb.schema}` });
    await other.connect();
    await other.query('begin');
    await other.query('select id from tasks where id = $1 for update', [held.id]);
    try {
      const result = await enforceRetentionPolicyTask({ db, ...RETENTION }).handler({}, context);
      // 40 days old: before the oldest weekly partition, so in DEFAULT, deleted row by row (three
      // batches of tasks, one of dead letters).
      expect(result).toMatchObject({ deleted: 2_500, batches: 4, droppedPartitions: [] });
    } finally {
      await other.query('rollback');
      await other.end();
    }
    const left = await db.select({ id: tasks.id }).from(tasks);
    expect(left.map((row) => row.id).sort()).toEqual([running.id, recent.id, held.id].sort());

    const again = await enforceRetentionPolicyTask({ db, ...RETENTION }).handler({ batchSize: 10 }, context);
    expect(again).toMatchObject({ deleted: 1, batches: 2 });
    expect(await db.select({ n: count() }).from(tasks).where(eq(tasks.id, held.id))).toEqual([{ n: 0 }]);
  });

  it("vacuums and analyzes each of the system's tables and reports them", async () => {
    const result = await optimizeDatabaseTask({ database: testDb.database }).handler(
      { analyzeOnly: false },
      context,
    );
    expect(result.operation).toBe('VACUUM (ANALYZE)');
    expect(result.errors).toEqual([]);
    const names = result.tables.map((table) => table.table);
    expect(names).toEqual(expect.arrayContaining(['tasks', 'ai_tasks', 'email_outbox', 'backups', 'pages']));
    expect(names).not.toContain('__migrations_other_schema');
    // Partitions are vacuumed through their partitioned table, not once more on their own.
    expect(names).not.toContain('tasks_default');
    const stats = await waitFor(
      async () => {
        const { rows } = await testDb.database.db.execute<{ vacuumed: boolean; analyzed: boolean }>(
          sql`select last_vacuum is not null as vacuumed, last_analyze is not null as analyzed
              from pg_stat_user_tables where schemaname = ${testDb.schema} and relname = 'tasks_default'`,
        );
        return rows[0]?.vacuumed && rows[0].analyzed ? rows[0] : undefined;
      },
      { timeoutMs: 10_000, what: 'vacuum statistics of a partition of tasks' },
    );
    expect(stats).toEqual({ vacuumed: true, analyzed: true });
  });
});
