import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import {
  createDatabase,
  type Database,
  findTask,
  HistoryPartitions,
  migrate,
  partitionName,
  sql,
  taskIds,
  tasks,
  weekStart,
} from '../src/index.js';
import { testDatabaseUrl } from '../src/testing.js';

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const migrations = fileURLToPath(new URL('../drizzle', import.meta.url));
const PARTITION_MIGRATION = '0014_partition_history';

/** A schema of its own, migrated up to (not including) `stopBefore` when given. */
async function schemaAt(stopBefore?: string): Promise<Database> {
  const schema = `histpart_${randomUUID().slice(0, 8)}`;
  const database = createDatabase({ url: testDatabaseUrl, schema, poolSize: 4 });
  if (!stopBefore) {
    await migrate(database);
    return database;
  }
  const folder = mkdtempSync(join(tmpdir(), 'migrations-'));
  try {
    cpSync(migrations, folder, { recursive: true });
    const journalFile = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: Array<{ tag: string }> };
    const stop = journal.entries.findIndex((entry) => entry.tag === stopBefore);
    if (stop < 0) throw new Error(`no migration ${stopBefore}`);
    writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, stop) }));
    const client = await (database.driver as { pool: pg.Pool }).pool.connect();
    try {
      await client.query(`create schema "${schema}"`);
      await migratePg(drizzle(client), {
        migrationsFolder: folder,
        migrationsSchema: schema,
        migrationsTable: '__migrations',
      });
    } finally {
      client.release();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  return database;
}

async function dropSchema(database: Database): Promise<void> {
  await database.close();
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  await client.query(`drop schema if exists "${database.schema}" cascade`);
  await client.end();
}

const partitionOf = async (database: Database, id: string) =>
  (
    await database.db.execute<{ partition: string }>(
      sql`select tableoid::regclass::text as partition from tasks where id = ${id}`,
    )
  ).rows.map((row) => row.partition);

describe('partitioned history', () => {
  it('moves unpartitioned tables with rows over without losing one, and keeps their dependents', async () => {
    const database = await schemaAt(PARTITION_MIGRATION);
    const { db } = database;
    try {
      const now = Date.now();
      const ages = [150, 30, 10, 0];
      const ids = ages.map(() => randomUUID());
      for (const [index, age] of ages.entries()) {
        await db.execute(sql`insert into tasks (id, name, queue, user_id, status, payload, result, error,
            attempts, max_retries, created_at, completed_at, version, progress_message)
          values (${ids[index]}, 'email.send', 'email', 'ada', ${index === 2 ? 'failed' : 'completed'},
            ${JSON.stringify({ to: `u${index}@example.org` })}::jsonb, '{"ok": true}'::jsonb,
            ${index === 2 ? 'boom' : null}, 2, 3, ${new Date(now - age * DAY)}, ${new Date(now - age * DAY + 1_000)},
            ${index + 10}, 'done')`);
      }
      const orphan = randomUUID();
      for (const [taskId, failedAt] of [
        [ids[2], new Date(now - 10 * DAY + 1_000)],
        [orphan, new Date(now - 3 * DAY)],
      ] as const) {
        await db.execute(sql`insert into dead_letters (task_id, name, queue, user_id, payload, error, attempts, failed_at)
          values (${taskId}, 'email.send', 'email', 'ada', '{"to": "x"}'::jsonb, 'boom', 3, ${failedAt})`);
      }
      await db.execute(sql`insert into ai_task_steps (task_id, step_index, kind, input_hash, output)
        values (${ids[1]}, 0, 'model', 'h', '"answer"')`);
      await db.execute(sql`insert into ai_approvals (task_id, step_index, user_id, question, token_hash, deadline)
        values (${ids[1]}, 1, 'ada', 'Send it?', 'hash', now() + interval '1 day')`);
      const email = (
        await db.execute<{ id: string }>(
          sql`insert into inbound_emails (user_id, from_address, subject) values ('ada', 'a@example.org', 'Hi') returning id`,
        )
      ).rows[0]!.id;
      await db.execute(
        sql`insert into email_feedback (user_id, email_id, rejected_category) values ('ada', ${email}, 'promotions')`,
      );
      const snapshot = async (query: string) =>
        (await db.execute<{ row: unknown }>(sql.raw(query))).rows.map((row) => row.row);
      const tasksBefore = await snapshot('select to_jsonb(t) as row from tasks t order by id');
      const lettersBefore = await snapshot('select to_jsonb(d) as row from dead_letters d order by task_id');

      await migrate(database);

      expect(await snapshot('select to_jsonb(t) as row from tasks t order by id')).toEqual(tasksBefore);
      expect(
        await snapshot(`select to_jsonb(d) - 'task_created_at' as row from dead_letters d order by task_id`),
      ).toEqual(lettersBefore);
      // Every row in its week's partition (the partitions reach back to the oldest task), found by id.
      for (const [index, age] of ages.entries()) {
        const id = ids[index] as string;
        expect(await partitionOf(database, id)).toEqual([
          partitionName('tasks', weekStart(new Date(now - age * DAY))),
        ]);
        expect((await findTask(db, id))?.id).toBe(id);
      }
      expect((await db.select().from(taskIds)).length).toBe(ids.length);
      const weeks = (await new HistoryPartitions({ db }).list()).filter(
        (partition) => partition.table === 'tasks',
      );
      expect(weeks[0]?.from).toEqual(weekStart(new Date(now - 150 * DAY)));
      expect(weeks.at(-1)?.from).toEqual(new Date(weekStart(new Date(now)).getTime() + 4 * WEEK));
      // A letter takes its task's created_at as key; one whose task is gone, its failed_at.
      const keys = await db.execute<{ task_id: string; same: boolean }>(
        sql`select d.task_id, d.task_created_at = coalesce(t.created_at, d.failed_at) as same
            from dead_letters d left join tasks t on t.id = d.task_id`,
      );
      expect(keys.rows.map((row) => row.same)).toEqual([true, true]);

      const count = async (table: string) =>
        (await db.execute<{ n: number }>(sql.raw(`select count(*)::int as n from ${table}`))).rows[0]?.n;
      expect(await count('ai_task_steps')).toBe(1);
      expect(await count('ai_approvals')).toBe(1);
      // The foreign keys still hold: a dependent goes with its message, and none points nowhere.
      await db.execute(sql`delete from inbound_emails where id = ${email}`);
      expect(await count('email_feedback')).toBe(0);
      await expect(
        db.execute(
          sql`insert into email_feedback (user_id, email_id, rejected_category) values ('ada', ${randomUUID()}, 'x')`,
        ),
      ).rejects.toThrow();
    } finally {
      await dropSchema(database);
    }
  });

  describe('on a migrated schema', () => {
    let database: Database;
    beforeAll(async () => {
      database = await schemaAt();
    });
    afterAll(() => dropSchema(database));

    const row = (createdAt: Date) => ({
      id: randomUUID(),
      name: 'maintenance.health_check',
      queue: 'maintenance',
      status: 'completed' as const,
      createdAt,
    });

    it('finds a task by id in any partition, reading only that one', async () => {
      const { db } = database;
      const now = Date.now();
      await new HistoryPartitions({ db, weeksAhead: 3 }).createAhead(new Date(now - 3 * WEEK));
      const spread = [
        row(new Date(now - 3 * WEEK)),
        row(new Date(now - WEEK)),
        row(new Date(now)),
        row(new Date(now - 52 * WEEK)),
      ];
      await db.insert(tasks).values(spread);
      expect(await partitionOf(database, spread[3]!.id)).toEqual(['tasks_default']);
      for (const task of spread) expect((await findTask(db, task.id))?.id).toBe(task.id);
      expect(await findTask(db, randomUUID())).toBeUndefined();

      // findTask's statement: the partitions are pruned while executing, so one alone is read.
      const id = spread[1]!.id;
      const plan = await db.execute<{ 'QUERY PLAN': string }>(
        sql`explain (analyze, costs off, timing off, summary off)
            select * from tasks where id = ${id} and created_at = (select created_at from task_ids where id = ${id})`,
      );
      const scanned = plan.rows
        .map((line) => line['QUERY PLAN'])
        .filter((line) => /on tasks_(p\d{8}|default)/.test(line) && !line.includes('never executed'));
      expect(scanned).toHaveLength(1);
      expect(scanned[0]).toContain(partitionName('tasks', weekStart(new Date(now - WEEK))));
    });

    it('refuses a second row for a task id with another created_at', async () => {
      const task = row(new Date());
      await database.db.insert(tasks).values(task);
      await expect(
        database.db.insert(tasks).values({ ...task, createdAt: new Date(Date.now() - WEEK) }),
      ).rejects.toMatchObject({ cause: { code: '23505' } });
    });

    it('creates partitions ahead, moving rows that landed in DEFAULT into theirs', async () => {
      const { db } = database;
      const later = new Date(Date.now() + 8 * WEEK);
      const early = row(later);
      await db.insert(tasks).values(early);
      expect(await partitionOf(database, early.id)).toEqual(['tasks_default']);

      const partitions = new HistoryPartitions({ db, weeksAhead: 9 });
      const created = await partitions.createAhead();
      expect(created).toContain(partitionName('tasks', weekStart(later)));
      expect(created).toContain(partitionName('dead_letters', weekStart(later)));
      expect(await partitionOf(database, early.id)).toEqual([partitionName('tasks', weekStart(later))]);
      expect((await findTask(db, early.id))?.id).toBe(early.id);
      expect(await partitions.createAhead()).toEqual([]);
    });

    it('refuses options out of range', () => {
      expect(() => new HistoryPartitions({ db: database.db, weeksAhead: -1 })).toThrow(/weeksAhead/);
      expect(() => new HistoryPartitions({ db: database.db, batchSize: 0 })).toThrow(/batchSize/);
      expect(() => new HistoryPartitions({ db: database.db, lockTimeoutMs: 1.5 })).toThrow(/lockTimeoutMs/);
    });
  });
});
