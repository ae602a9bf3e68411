import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * One row per task that exhausted its attempts (or failed for good), with what it needs to run
 * again: the original payload, and links to the original task and to its replay.
 */
export const deadLetters = pgTable(
  'dead_letters',
  {
    /** The id of the task that failed; a task dies at most once. */
    taskId: text('task_id').primaryKey(),
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
  },
  (table) => [
    index('dead_letters_failed_at_idx').on(table.failedAt),
    index('dead_letters_name_idx').on(table.name, table.failedAt),
    // The dead-letter gauge counts the letters not yet replayed per queue at every scrape.
    index('dead_letters_unreplayed_queue_idx').on(table.queue).where(sql`${table.replayedAs} is null`),
  ],
);

export type DeadLetter = typeof deadLetters.$inferSelect;
export type NewDeadLetter = typeof deadLetters.$inferInsert;
