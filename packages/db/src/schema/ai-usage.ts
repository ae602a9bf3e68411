import { date, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { at } from './columns.js';

/** What a user's AI calls used on one UTC day; only calls made count, not replayed steps. */
export const aiUsageDaily = pgTable(
  'ai_usage_daily',
  {
    userId: text('user_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    modelCalls: integer('model_calls').notNull().default(0),
    toolCalls: integer('tool_calls').notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.userId, table.day] })],
);

/** A user's daily token budget (prompt and completion tokens together), set by an admin. */
export const aiBudgets = pgTable('ai_budgets', {
  userId: text('user_id').primaryKey(),
  dailyTokens: integer('daily_tokens').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
  /** The admin's user id. */
  updatedBy: text('updated_by').notNull(),
});

export type AiUsageDailyRow = typeof aiUsageDaily.$inferSelect;
export type AiBudgetRow = typeof aiBudgets.$inferSelect;
