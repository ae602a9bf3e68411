import { and, desc, eq, gte, lt, type SQL, sql } from 'drizzle-orm';
import {
  HistoryPartitions,
  listTasks,
  type NewTaskRecord,
  partitionName,
  type TaskRecord,
  tasks,
  weekStart,
} from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

const DAY = 86_400_000;
const WEEK = 7 * DAY;

/**
 * The walk reads week ranges newest first and stops early (docs/run-history.md): its pages must be
 * exactly those of one ordered statement over the whole table, whichever partitions hold the rows.
 */
describe('listTasks: the newest-first walk over the weekly partitions', () => {
  let test: TestDatabase;
  const now = Date.now();
  const thisWeek = weekStart(new Date(now)).getTime();

  beforeAll(async () => {
    test = await createTestDatabase('list_tasks');
    const { db } = test.database;
    // Weekly partitions from 8 weeks back to 3 ahead; the rest of time falls in DEFAULT.
    await new HistoryPartitions({ db, weeksAhead: 11 }).createAhead(new Date(now - 8 * WEEK));
    const instants = [
      now + 300 * DAY, // DEFAULT, newer than every partition
      now + 20 * DAY,
      now,
      thisWeek, // the first range's lower bound, exactly
      thisWeek - 1, // the last instant of the week before
      now - 2 * DAY,
      now - 5 * DAY,
      now - 8 * DAY,
      now - 13 * DAY,
      now - 22 * DAY,
      now - 35 * DAY,
      thisWeek - 7 * WEEK, // a range bound (1 + 2 + 4 weeks back), held by two tasks
      now - 50 * DAY,
      now - 63 * DAY, // DEFAULT, older than every partition
      now - 90 * DAY,
      now - 120 * DAY,
      now - 400 * DAY,
    ];
    const rows: NewTaskRecord[] = [];
    for (const [index, at] of instants.entries()) {
      const row = (id: string, userId: string, ms: number): NewTaskRecord => ({
        id,
        name: index % 2 === 0 ? 'email.send' : 'sync.fetch_url',
        queue: 'q',
        userId,
        status: 'completed',
        createdAt: new Date(ms),
      });
      rows.push(row(`ada-${String(index).padStart(2, '0')}`, 'ada', at));
      // Bob's task is always a bit newer: a walk that lost the user filter would show his first.
      rows.push(row(`bob-${index}`, 'bob', at + 1));
    }
    rows.push({ ...rows.find((row) => row.id === 'ada-11')!, id: 'ada-tie' }); // two at a range bound
    await db.insert(tasks).values(rows);
    await db.execute(sql`analyze tasks`);
  });
  afterAll(() => test.drop());

  /** One ordered statement over the whole table: the page the walk must return. */
  const reference = (where: SQL[]) =>
    test.database.db
      .select()
      .from(tasks)
      .where(and(...where))
      .orderBy(desc(tasks.createdAt), desc(tasks.id));
  const ids = (rows: TaskRecord[]) => rows.map((row) => row.id);

  it('spreads the rows over weekly partitions and DEFAULT, newer and older than them', async () => {
    const { rows } = await test.database.db.execute<{ partition: string }>(
      sql`select distinct tableoid::regclass::text as partition from tasks`,
    );
    const partitions = rows.map((row) => row.partition);
    expect(partitions).toContain('tasks_default');
    expect(partitions.filter((name) => /^tasks_p\d{8}$/.test(name)).length).toBeGreaterThanOrEqual(6);
  });

  it('sends range statements that plan only their weeks’ partitions and read them in index order', async () => {
    const { driver } = test.database;
    if (driver.kind !== 'postgres') throw new Error('this test needs PostgreSQL');
    const { pool } = driver;
    const sent: Array<{ text: string; values: unknown[] }> = [];
    const query = pool.query;
    const send = query.bind(pool) as (config: { text: string }, values: unknown[]) => Promise<unknown>;
    pool.query = ((config: { text: string }, values: unknown[]) => {
      sent.push({ text: config.text, values });
      return send(config, values);
    }) as typeof pool.query;
    try {
      await listTasks(test.database.db, { where: [eq(tasks.userId, 'ada')], limit: 100 });
    } finally {
      pool.query = query;
    }
    expect(sent).toHaveLength(6);
    // The third range: the two weeks before last week.
    const range = sent[2] as { text: string; values: unknown[] };
    const client = await pool.connect();
    let plan: string[];
    try {
      await client.query('begin');
      // So few rows sort cheaply: forbid sorting, to see whether the index gives the order.
      await client.query('set local enable_sort = off');
      const explained = await client.query(`explain (costs off) ${range.text}`, range.values);
      plan = explained.rows.map((line: { 'QUERY PLAN': string }) => line['QUERY PLAN']);
    } finally {
      await client.query('rollback');
      client.release();
    }
    const scanned = plan.flatMap((line) => /on (tasks_\w+)/.exec(line)?.[1] ?? []);
    expect(new Set(scanned)).toEqual(
      new Set([3, 2].map((weeks) => partitionName('tasks', new Date(thisWeek - weeks * WEEK)))),
    );
    expect(plan.some((line) => /^(\s*->\s+)?(Incremental )?Sort(\s|$)/.test(line))).toBe(false);
    expect(plan.join('\n')).toContain('Merge Append');
  });

  it('returns the same first page as one statement, for every page size', async () => {
    const ada = [eq(tasks.userId, 'ada')];
    const all = ids(await reference(ada));
    expect(all).toHaveLength(18);
    for (let limit = 1; limit <= all.length + 1; limit += 1) {
      expect(ids(await listTasks(test.database.db, { where: ada, limit }))).toEqual(all.slice(0, limit));
    }
  });

  it('pages with the keyset cursor across partition boundaries without losing or repeating a row', async () => {
    for (const where of [[eq(tasks.userId, 'ada')], []]) {
      const all = ids(await reference(where));
      for (const limit of [1, 2, 3, 7]) {
        const seen: TaskRecord[] = [];
        let after: { createdAt: Date; id: string } | undefined;
        for (;;) {
          const page = await listTasks(test.database.db, { where, after, limit });
          seen.push(...page);
          if (page.length < limit) break;
          const last = page.at(-1) as TaskRecord;
          after = { createdAt: last.createdAt, id: last.id };
        }
        expect(ids(seen)).toEqual(all);
      }
    }
  });

  it('never returns another user’s rows, and finds a user whose rows are all old', async () => {
    const page = await listTasks(test.database.db, { where: [eq(tasks.userId, 'bob')], limit: 100 });
    expect(page).toHaveLength(17);
    expect(new Set(page.map((row) => row.userId))).toEqual(new Set(['bob']));
    const old = [eq(tasks.userId, 'ada'), lt(tasks.createdAt, new Date(now - 100 * DAY))];
    expect(ids(await listTasks(test.database.db, { where: old, limit: 5 }))).toEqual(
      ids(await reference(old)),
    );
    expect(await listTasks(test.database.db, { where: [eq(tasks.userId, 'nobody')], limit: 5 })).toEqual([]);
  });

  it('keeps from, to and the other conditions, with the cursor', async () => {
    const from = new Date(now - 45 * DAY);
    const to = new Date(thisWeek);
    const where = [eq(tasks.userId, 'ada'), eq(tasks.name, 'email.send')];
    const all = ids(await reference([...where, gte(tasks.createdAt, from), lt(tasks.createdAt, to)]));
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(ids(await listTasks(test.database.db, { where, from, to, limit: 50 }))).toEqual(all);
    const first = await listTasks(test.database.db, { where, from, to, limit: 2 });
    const last = first.at(-1) as TaskRecord;
    const rest = await listTasks(test.database.db, {
      where,
      from,
      to,
      after: { createdAt: last.createdAt, id: last.id },
      limit: 50,
    });
    expect([...ids(first), ...ids(rest)]).toEqual(all);
  });
});
