import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

export const TASK_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled', 'retrying'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** The text search configuration of task search: no stemming or stop words, ids and addresses stay whole. */
const TASK_SEARCH_CONFIG = sql.raw(`'simple'::regconfig`);

/**
 * The words free-text task search looks in: id, name, error and every string value of the payload
 * and result; plus one lexeme naming the task's user (`user <id>`), which no searched text can
 * produce (the parser splits at spaces), so a user's search asks the index for their rows only.
 * One expression for the index and the queries, so the planner can match them; it is given the
 * columns, so the same words can be computed for rows not in the table yet.
 */
export function taskSearchDocument(columns: TaskSearchColumns): SQL {
  const config = TASK_SEARCH_CONFIG;
  return sql`(to_tsvector(${config}, ${columns.id} || ' ' || ${columns.name} || ' ' || coalesce(${columns.error}, '')) || jsonb_to_tsvector(${config}, coalesce(${columns.payload}, 'null'::jsonb), '["string"]') || jsonb_to_tsvector(${config}, coalesce(${columns.result}, 'null'::jsonb), '["string"]') || array_to_tsvector(array_remove(array['user ' || ${columns.userId}], null)))`;
}

export interface TaskSearchColumns {
  id: SQLWrapper;
  name: SQLWrapper;
  userId: SQLWrapper;
  error: SQLWrapper;
  payload: SQLWrapper;
  result: SQLWrapper;
}

/**
 * The words of `query` (web search syntax), and for a user's search their user lexeme too: with
 * it, the index reads the entries of the user's rows alongside the words', which makes a rare
 * word of a small user as cheap to find as a common one. A query with no words matches nothing,
 * as it always did, rather than every row of the user.
 */
function searchedWords(query: string, userId: string | undefined): { words: SQL; asked: SQL } {
  const words = sql`websearch_to_tsquery(${TASK_SEARCH_CONFIG}, ${query})`;
  if (userId === undefined) return { words, asked: words };
  const user = `'${`user ${userId}`.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
  return { words, asked: sql`(${words} && ${user}::tsquery)` };
}

/**
 * Whether the row has every word of `query` (web search syntax: `"a phrase"`, `-word`), or is the
 * task with that very id (ids split into several words). `userId`: the search is that user's
 * (the caller also keeps their rows only); it lets the index narrow to them.
 */
export function taskSearchMatches(columns: TaskSearchColumns, query: string, userId?: string): SQL {
  const { words, asked } = searchedWords(query, userId);
  return sql`((numnode(${words}) > 0 and ${taskSearchDocument(columns)} @@ ${asked}) or ${columns.id} = ${query})`;
}

/**
 * Whether the row's error has every word of `query`. The whole search document must match too, so
 * the search index narrows the rows before the error alone is checked.
 */
export function taskErrorMatches(columns: TaskSearchColumns, query: string, userId?: string): SQL {
  const { words, asked } = searchedWords(query, userId);
  return sql`(${taskSearchDocument(columns)} @@ ${asked} and to_tsvector(${TASK_SEARCH_CONFIG}, coalesce(${columns.error}, '')) @@ ${words})`;
}

/**
 * One row per submitted task, kept up to date by the worker runtime as the task moves. Partitioned
 * by week of `created_at` (docs/history-partitions.md): the key is (id, created_at), and a task's
 * created_at never changes, so the id stays unique; `task_ids` finds a row's week from its id.
 */
export const tasks = pgTable(
  'tasks',
  {
    id: text('id').notNull(),
    name: text('name').notNull(),
    queue: text('queue').notNull(),
    userId: text('user_id'),
    status: text('status').$type<TaskStatus>().notNull(),
    priority: integer('priority').notNull().default(0),
    payload: jsonb('payload').$type<unknown>(),
    result: jsonb('result').$type<unknown>(),
    error: text('error'),
    stackTrace: text('stack_trace'),
    attempts: integer('attempts').notNull().default(0),
    maxRetries: integer('max_retries').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
    durationMs: integer('duration_ms'),
    waitMs: integer('wait_ms'),
    queueJobId: text('queue_job_id'),
    traceId: text('trace_id'),
    /** Last progress the handler reported (0..100) and its message. */
    progress: integer('progress'),
    progressMessage: text('progress_message'),
    /** For a replayed dead letter: the id of the task it replays. */
    replayOf: text('replay_of'),
    /**
     * Monotonic position in the task's lifecycle (attempt and phase). Record writes from different
     * processes may land out of order; an upsert only applies when it moves the record forward.
     */
    version: bigint('version', { mode: 'number' }).notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ name: 'tasks_pkey', columns: [table.id, table.createdAt] }),
    index('tasks_name_status_created_idx').on(table.name, table.status, table.createdAt),
    index('tasks_user_status_idx').on(table.userId, table.status),
    // No index on queue_job_id: a task's job id is its own id, which the primary key covers, and
    // every index is one more write per record update on the hottest table.
    // Keyset pages, newest first: a user's history, and everyone's for admin keys.
    index('tasks_user_created_idx').on(table.userId, table.createdAt.desc(), table.id.desc()),
    index('tasks_created_idx').on(table.createdAt.desc(), table.id.desc()),
    // Payload filters are containment (`payload @> {...}`), which jsonb_path_ops serves smallest.
    index('tasks_payload_idx').using('gin', table.payload.op('jsonb_path_ops')),
    index('tasks_search_idx').using('gin', taskSearchDocument(table)),
    check(
      'tasks_status_check',
      sql`${table.status} in ('pending', 'running', 'completed', 'failed', 'cancelled', 'retrying')`,
    ),
  ],
);

/**
 * Each task's id and created_at, the key of its partition: a lookup by id reads the week here, then
 * only that week's partition. Filled by a trigger on `tasks` inserts, so every writer keeps it.
 */
export const taskIds = pgTable(
  'task_ids',
  {
    id: text('id').primaryKey(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  // Retention deletes the ids of a dropped week by range.
  (table) => [index('task_ids_created_idx').on(table.createdAt)],
);

export type TaskRecord = typeof tasks.$inferSelect;
export type NewTaskRecord = typeof tasks.$inferInsert;
