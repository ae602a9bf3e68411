import { integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { at } from './columns.js';

/**
 * One finished step of an AI task run (a model call or a tool call) and its output. Keyed by task
 * id and step index, not attempt: a retry replays stored steps instead of paying for them again,
 * as long as the step's input hash is the same.
 */
export const aiTaskSteps = pgTable(
  'ai_task_steps',
  {
    taskId: text('task_id').notNull(),
    stepIndex: integer('step_index').notNull(),
    /** "model" or "tool:<name>". */
    kind: text('kind').notNull(),
    /** SHA-256 of the step's input (the messages sent, or the tool call). */
    inputHash: text('input_hash').notNull(),
    /**
     * The step's output as JSON text, not jsonb: a model may answer U+0000, which jsonb refuses
     * and JSON text keeps as an escape, so a replay gives back exactly what the step returned.
     */
    output: text('output').notNull(),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.taskId, table.stepIndex] })],
);

export type AiTaskStepRow = typeof aiTaskSteps.$inferSelect;
