import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const TASK_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled', 'retrying'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** One row per submitted task, kept up to date by the worker runtime as the task moves. */
export const tasks = pgTable(
  'tasks',
  {
    id: text('id').primaryKey(),
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
    index('tasks_name_status_created_idx').on(table.name, table.status, table.createdAt),
    index('tasks_user_status_idx').on(table.userId, table.status),
    index('tasks_queue_job_id_idx').on(table.queueJobId),
    check(
      'tasks_status_check',
      sql`${table.status} in ('pending', 'running', 'completed', 'failed', 'cancelled', 'retrying')`,
    ),
  ],
);

export type TaskRecord = typeof tasks.$inferSelect;
export type NewTaskRecord = typeof tasks.$inferInsert;
