import { boolean, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * One row per attempt to deliver a task's completion webhook: the history an operator reads to
 * see whether (and when) a receiver got it. Written by the completion dispatcher.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    taskId: text('task_id').notNull(),
    url: text('url').notNull(),
    /** The task's end that was announced: `completed`, `failed` or `cancelled`. */
    event: text('event').notNull(),
    /** 1 for the first try. */
    attempt: integer('attempt').notNull(),
    /** True when the receiver answered 2xx. */
    delivered: boolean('delivered').notNull(),
    /** The receiver's HTTP status; null when no answer came (refused, timed out, unreachable). */
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
    attemptedAt: timestamp('attempted_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [
    uniqueIndex('webhook_deliveries_task_attempt_idx').on(table.taskId, table.attempt),
    index('webhook_deliveries_attempted_at_idx').on(table.attemptedAt),
  ],
);

export type WebhookDeliveryRecord = typeof webhookDeliveries.$inferSelect;
export type NewWebhookDelivery = typeof webhookDeliveries.$inferInsert;
