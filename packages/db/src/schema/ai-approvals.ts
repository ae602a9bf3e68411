import { sql } from 'drizzle-orm';
import { check, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { at } from './columns.js';

export const APPROVAL_DECISIONS = ['approved', 'denied'] as const;
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];

/**
 * A question an AI task's `wait_for_approval` step put to its user, and the answer. One per step:
 * the task parks until it is decided or its deadline passes, and replays to this step on waking.
 */
export const aiApprovals = pgTable(
  'ai_approvals',
  {
    taskId: text('task_id').notNull(),
    stepIndex: integer('step_index').notNull(),
    userId: text('user_id').notNull(),
    question: text('question').notNull(),
    /** SHA-256 of the one-time token a signal must present; the token itself is never stored. */
    tokenHash: text('token_hash').notNull(),
    deadline: at('deadline').notNull(),
    decision: text('decision').$type<ApprovalDecision>(),
    comment: text('comment'),
    /** The user whose key signalled the decision (the owner or an admin). */
    decidedBy: text('decided_by'),
    decidedAt: at('decided_at'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.taskId, table.stepIndex] }),
    check('ai_approvals_decision_check', sql`${table.decision} in ('approved', 'denied')`),
  ],
);

export type AiApprovalRow = typeof aiApprovals.$inferSelect;
