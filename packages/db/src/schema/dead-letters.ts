import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * One row per task that exhausted its attempts (or failed for good), with what it needs to run
 * again: the original payload, and links to the original task and to its replay. Partitioned by
 * week of the task's created_at, as `tasks` is, so a week of both goes at once. Found by task id
 * through the primary key of every partition, not `task_ids`: a letter not replayed outlives its
 * task's id (docs/history-partitions.md), and letters are few.
 */
export const deadLetters = pgTable(
  'dead_letters',
  {
    /** The id of the task that failed; a task dies at most once (its created_at is fixed). */
    taskId: text('task_id').notNull(),
    name: text('name').notNull(),
    queue: text('queue').notNull(),
    userId: text('user_id'),
    payload: jsonb('payload').$type<unknown>(),
    error: text('error').notNull(),
    stackTrace: text('stack_trace'),
    attempts: integer('attempts').notNull(),
    failedAt: timestamp('failed_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** The task id of the replay, once replayed. */
    replayedAs: text('replayed_as'),
    replayedAt: timestamp('replayed_at', { withTimezone: true, mode: 'date' }),
    /**
     * The task's created_at, the partition key. The record writer fills it from `task_ids` when a
     * row leaves it out; the default only serves a letter whose task was never stored.
     */
    taskCreatedAt: timestamp('task_created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ name: 'dead_letters_pkey', columns: [table.taskId, table.taskCreatedAt] }),
    index('dead_letters_failed_at_idx').on(table.failedAt),
    index('dead_letters_name_idx').on(table.name, table.failedAt),
    // The dead-letter gauge counts the letters not yet replayed per queue at every scrape.
    index('dead_letters_unreplayed_queue_idx').on(table.queue).where(sql`${table.replayedAs} is null`),
  ],
);

export type DeadLetter = typeof deadLetters.$inferSelect;
export type NewDeadLetter = typeof deadLetters.$inferInsert;
