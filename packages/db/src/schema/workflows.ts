import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const WORKFLOW_STATUSES = ['running', 'completed', 'failed', 'cancelled'] as const;
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

export const WORKFLOW_NODE_STATUSES = [
  'waiting',
  'queued',
  'running',
  'completed',
  'failed',
  'skipped',
] as const;
export type WorkflowNodeStatus = (typeof WORKFLOW_NODE_STATUSES)[number];

/** When a node runs, judged once all its parents have settled. */
export type WorkflowCondition =
  | { kind: 'success' }
  | { kind: 'failure' }
  | { kind: 'always' }
  | { kind: 'predicate'; predicate: string };

/** One submitted task graph; its nodes live in `workflow_nodes`. */
export const workflows = pgTable(
  'workflows',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    userId: text('user_id'),
    status: text('status').$type<WorkflowStatus>().notNull(),
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
    durationMs: integer('duration_ms'),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [
    index('workflows_status_created_idx').on(table.status, table.createdAt),
    check('workflows_status_check', sql`${table.status} in ('running', 'completed', 'failed', 'cancelled')`),
  ],
);

/** One task of a workflow: its place in the graph, its condition and what became of it. */
export const workflowNodes = pgTable(
  'workflow_nodes',
  {
    // No foreign key: drizzle-kit would qualify it with a schema, and tables follow search_path.
    workflowId: text('workflow_id').notNull(),
    key: text('key').notNull(),
    /** Position in the workflow's topological order. */
    position: integer('position').notNull(),
    taskName: text('task_name').notNull(),
    queue: text('queue').notNull(),
    payload: jsonb('payload').$type<unknown>().notNull(),
    dependsOn: jsonb('depends_on').$type<string[]>().notNull(),
    condition: jsonb('condition').$type<WorkflowCondition>().notNull(),
    timeoutMs: integer('timeout_ms'),
    status: text('status').$type<WorkflowNodeStatus>().notNull(),
    /** Id of the task that runs this node, once enqueued. */
    taskId: text('task_id'),
    result: jsonb('result').$type<unknown>(),
    error: text('error'),
    queuedAt: timestamp('queued_at', { withTimezone: true, mode: 'date' }),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
    durationMs: integer('duration_ms'),
  },
  (table) => [
    primaryKey({ columns: [table.workflowId, table.key] }),
    index('workflow_nodes_task_id_idx').on(table.taskId),
    check(
      'workflow_nodes_status_check',
      sql`${table.status} in ('waiting', 'queued', 'running', 'completed', 'failed', 'skipped')`,
    ),
  ],
);

export type WorkflowRecord = typeof workflows.$inferSelect;
export type WorkflowNodeRecord = typeof workflowNodes.$inferSelect;
export type NewWorkflowNodeRecord = typeof workflowNodes.$inferInsert;
