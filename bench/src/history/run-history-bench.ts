import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TaskRecordWriter } from '@foreman/core';
import {
  createDatabase,
  type Database,
  eq,
  findTask,
  HistoryPartitions,
  listTasks,
  migrate,
  type NewTaskRecord,
  type SQL,
  sql,
  taskSearchMatches,
  tasks,
} from '@foreman/db';
import { from as copyFrom } from 'pg-copy-streams';
import { type Percentiles, percentiles } from '../stats/percentiles.js';
import { COPY_COLUMNS, copyLine, type SyntheticTask, syntheticTasks } from './synthetic-tasks.js';

/** The indexes search added; the write rate is measured without them, then with them. */
export const SEARCH_INDEXES = [
  'tasks_user_created_idx',
  'tasks_created_idx',
  'tasks_payload_idx',
  'tasks_search_idx',
];
const PAGE = 50;
const SPAN_DAYS = 90;

export interface HistoryBenchOptions {
  /** PostgreSQL to load; the bench works in a schema of its own and drops it at the end. */
  url: string;
  rows: number;
  /** Timed runs of each query. */
  samples: number;
  /** Tasks the record writer stores (a pending row, then its completed row) per write-rate run. */
  writes: number;
  users: number;
}

export interface WriteRate {
  /** New rows (the submit's pending row) stored per second. */
  insertsPerSecond: number;
  /** Upserts of stored rows (the worker's completed row) per second. */
  updatesPerSecond: number;
}

type HistoryQuery = 'byId' | 'newestPage' | 'payloadField' | 'freeText';

export interface HistoryFigures {
  rows: number;
  loadSeconds: number;
  indexBuildSeconds: number;
  tableBytes: number;
  indexBytes: Record<string, number>;
  queries: Record<HistoryQuery, Percentiles>;
  /** Statements each query ran, on average: the list queries read week ranges until the page is full. */
  statements: Record<HistoryQuery, number>;
  /** Rows each free-text and payload search returned, on average (a page at most). */
  meanMatches: { payloadField: number; freeText: number };
  writes: { without: WriteRate; with: WriteRate };
}

/**
 * Loads `rows` synthetic task records with COPY, then measures the record writer's rate without
 * and with the search indexes on that same table, and the latencies of the api's list queries.
 */
export async function runHistoryBench(options: HistoryBenchOptions): Promise<HistoryFigures> {
  const schema = `bench_history_${randomBytes(4).toString('hex')}`;
  const database = createDatabase({ url: options.url, schema, poolSize: 4, statementTimeoutMs: 0 });
  try {
    await migrate(database);
    const definitions = await indexDefinitions(database, schema);
    for (const name of SEARCH_INDEXES) await database.db.execute(sql.raw(`drop index "${name}"`));

    const newest = new Date();
    // Weekly partitions over the whole span, as a history kept by the maintenance task has them.
    await new HistoryPartitions({ db: database.db, weeksAhead: Math.ceil(SPAN_DAYS / 7) + 1 }).createAhead(
      new Date(newest.getTime() - SPAN_DAYS * 86_400_000),
    );
    const probes: SyntheticTask[] = [];
    const generated = syntheticTasks(options.rows, {
      users: options.users,
      newest,
      spanDays: SPAN_DAYS,
      seed: 18,
    });
    const every = Math.max(1, Math.floor(options.rows / options.samples));
    let index = 0;
    const lines = Readable.from(
      (function* () {
        for (const task of generated) {
          if (index++ % every === 0 && probes.length < options.samples) probes.push(task);
          yield copyLine(task);
        }
      })(),
    );
    const loadStarted = performance.now();
    await copy(database, lines);
    await database.db.execute(sql`analyze tasks`);
    const loadSeconds = (performance.now() - loadStarted) / 1_000;

    const without = await writeRate(database, options.writes, 'without');
    const buildStarted = performance.now();
    for (const definition of definitions) await database.db.execute(sql.raw(definition));
    await database.db.execute(sql`analyze tasks`);
    const indexBuildSeconds = (performance.now() - buildStarted) / 1_000;
    const withIndexes = await writeRate(database, options.writes, 'with');

    const matches = { payloadField: 0, freeText: 0 };
    const timings = {
      byId: await timed(database, probes, (task) => findTask(database.db, task.id)),
      newestPage: await timed(database, probes, (task) => newestPage(database, task, [])),
      payloadField: await timed(database, probes, async (task) => {
        const found = await newestPage(database, task, [
          sql`${tasks.payload} @> ${JSON.stringify(probeField(task))}::jsonb`,
        ]);
        matches.payloadField += found.length;
      }),
      freeText: await timed(database, probes, async (task) => {
        const found = await newestPage(database, task, [
          taskSearchMatches(tasks, probeWords(task), task.userId),
        ]);
        matches.freeText += found.length;
      }),
    };
    const each = <T>(pick: (timing: Timing) => T) =>
      Object.fromEntries(Object.entries(timings).map(([name, timing]) => [name, pick(timing)])) as Record<
        HistoryQuery,
        T
      >;
    return {
      rows: options.rows,
      loadSeconds,
      indexBuildSeconds,
      ...(await sizes(database)),
      queries: each((timing) => timing.latency),
      statements: each((timing) => timing.statements),
      meanMatches: {
        payloadField: matches.payloadField / probes.length,
        freeText: matches.freeText / probes.length,
      },
      writes: { without, with: withIndexes },
    };
  } finally {
    await database.db.execute(sql.raw(`drop schema "${schema}" cascade`)).catch(() => {});
    await database.close();
  }
}

async function indexDefinitions(database: Database, schema: string): Promise<string[]> {
  const found = await database.db.execute<{ indexdef: string }>(
    sql`select indexdef from pg_indexes where schemaname = ${schema} and indexname in ${SEARCH_INDEXES}`,
  );
  if (found.rows.length !== SEARCH_INDEXES.length) throw new Error('The migrations lack a search index');
  // The definition of a partitioned table's index reads `ON ONLY`: without it, every partition gets it.
  return found.rows.map((row) => row.indexdef.replace(' ON ONLY ', ' ON '));
}

async function copy(database: Database, lines: Readable): Promise<void> {
  if (database.driver.kind !== 'postgres') throw new Error('bench:history needs a PostgreSQL server');
  const client = await database.driver.pool.connect();
  try {
    await pipeline(lines, client.query(copyFrom(`copy tasks (${COPY_COLUMNS}) from stdin`)));
  } finally {
    client.release();
  }
}

/** The api's list query (`GET /tasks`) for the task's user: their newest page, narrowed by `where`. */
const newestPage = (database: Database, task: SyntheticTask, where: SQL[]) =>
  // One row more than a page, as the api asks, to know whether a next page exists.
  listTasks(database.db, { where: [eq(tasks.userId, task.userId), ...where], limit: PAGE + 1 });

/** A payload field the probe task has: an address, a URL, a feed or a path. */
function probeField(task: SyntheticTask): Record<string, unknown> {
  const [field, value] = Object.entries(task.payload)[0] ?? ['none', null];
  return { [field]: value };
}

/** Two words the probe task holds: from its subject, error or result, else its name. */
function probeWords(task: SyntheticTask): string {
  const text = String(task.payload.subject ?? task.error ?? task.result?.note ?? task.name);
  return text.split(' ').slice(0, 2).join(' ');
}

interface Timing {
  latency: Percentiles;
  statements: number;
}

async function timed(
  database: Database,
  probes: SyntheticTask[],
  query: (task: SyntheticTask) => Promise<unknown>,
): Promise<Timing> {
  if (database.driver.kind !== 'postgres') throw new Error('bench:history needs a PostgreSQL server');
  const { pool } = database.driver;
  // Every statement checks a connection out of the pool.
  let statements = 0;
  const count = () => {
    statements += 1;
  };
  pool.on('acquire', count);
  const took: number[] = [];
  try {
    for (const task of probes) {
      const started = performance.now();
      await query(task);
      took.push(performance.now() - started);
    }
  } finally {
    pool.off('acquire', count);
  }
  return { latency: percentiles(took) as Percentiles, statements: statements / probes.length };
}

/** Tasks through the record writer as the api and a worker send them: pending, then completed. */
async function writeRate(database: Database, count: number, label: string): Promise<WriteRate> {
  const writer = new TaskRecordWriter({ db: database.db });
  const now = Date.now();
  const rows = Array.from(
    { length: count },
    (_, index): NewTaskRecord => ({
      id: `write-${label}-${index}`,
      name: 'email.send_email',
      queue: 'email',
      userId: `user-${index % 100}`,
      status: 'pending',
      payload: { to: `bench${index}@write.example`, subject: `write rate ${label}` },
      createdAt: new Date(now + index),
      version: 1,
    }),
  );
  try {
    const rate = async (batch: NewTaskRecord[]) => {
      const started = performance.now();
      await Promise.all(batch.map((row) => writer.write(row)));
      return Math.round(batch.length / ((performance.now() - started) / 1_000));
    };
    const insertsPerSecond = await rate(rows);
    const updatesPerSecond = await rate(
      rows.map((row) => ({
        ...row,
        status: 'completed',
        result: { ok: true, messageId: `${row.id}@write.example` },
        completedAt: new Date(),
        version: 3,
      })),
    );
    if (writer.quarantine().length > 0) throw new Error('The record writer refused bench rows');
    return { insertsPerSecond, updatesPerSecond };
  } finally {
    await writer.close();
  }
}

/** Sizes summed over the partitions: of the table, of each of its indexes, and of `task_ids`. */
async function sizes(database: Database): Promise<Pick<HistoryFigures, 'tableBytes' | 'indexBytes'>> {
  const [table] = (
    await database.db.execute<{ bytes: string }>(
      sql`select coalesce(sum(pg_table_size(relid)), 0) as bytes from pg_partition_tree('tasks') where isleaf`,
    )
  ).rows;
  const indexes = await database.db.execute<{ name: string; bytes: string }>(
    sql`select i.indexrelid::regclass::text as name,
          (select coalesce(sum(pg_relation_size(relid)), 0) from pg_partition_tree(i.indexrelid) where isleaf) as bytes
        from pg_index i where i.indrelid = 'tasks'::regclass
        union all
        select 'task_ids (table and indexes)', pg_total_relation_size('task_ids')
        order by 1`,
  );
  return {
    tableBytes: Number(table?.bytes ?? 0),
    indexBytes: Object.fromEntries(indexes.rows.map((row) => [row.name, Number(row.bytes)])),
  };
}
