import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { at } from './columns.js';

/** A user's recurring (or one-off) prompt; the ai worker runs it when `nextRunAt` is due. */
export const aiTasks = pgTable(
  'ai_tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: text('user_id').notNull(),
    name: text('name').notNull(),
    prompt: text('prompt').notNull(),
    system: text('system'),
    model: text('model'),
    /** Names of the tools the model may call in a run (see the ai-worker's tool registry). */
    tools: text('tools').array().notNull().default(sql`'{}'::text[]`),
    /** Stream the model's answer: its text is published as `output` task events as it is written. */
    stream: boolean('stream').notNull().default(false),
    /** Minutes between runs; null runs once and then disables the task. */
    intervalMinutes: integer('interval_minutes'),
    enabled: boolean('enabled').notNull().default(true),
    nextRunAt: at('next_run_at'),
    lastRunAt: at('last_run_at'),
    lastResult: text('last_result'),
    lastError: text('last_error'),
    lastModel: text('last_model'),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    /** Failed runs in a row; the next run backs off exponentially with it. */
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (table) => [
    index('ai_tasks_due_idx').on(table.enabled, table.nextRunAt),
    index('ai_tasks_user_idx').on(table.userId),
  ],
);

export type AiTaskRow = typeof aiTasks.$inferSelect;
