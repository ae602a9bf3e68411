import {
  asc,
  type Db,
  desc,
  eq,
  type NewWorkflowNodeRecord,
  sql,
  type WorkflowNodeRecord,
  type WorkflowRecord,
  type WorkflowStatus,
  workflowNodes,
  workflows,
} from '@foreman/db';

/** A workflow with every node, nodes in topological order. */
export interface WorkflowView extends WorkflowRecord {
  nodes: WorkflowNodeRecord[];
}

/** Rows of `workflows` and `workflow_nodes`. */
export class WorkflowStore {
  constructor(private readonly db: Db) {}

  async insert(workflow: typeof workflows.$inferInsert, nodes: NewWorkflowNodeRecord[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.insert(workflows).values(workflow);
      await tx.insert(workflowNodes).values(nodes);
    });
  }

  async get(id: string): Promise<WorkflowView | undefined> {
    const [workflow] = await this.db.select().from(workflows).where(eq(workflows.id, id));
    if (!workflow) return undefined;
    const nodes = await this.db
      .select()
      .from(workflowNodes)
      .where(eq(workflowNodes.workflowId, id))
      .orderBy(asc(workflowNodes.position));
    return { ...workflow, nodes };
  }

  list({ status, limit = 100 }: { status?: WorkflowStatus; limit?: number } = {}): Promise<WorkflowRecord[]> {
    return this.db
      .select()
      .from(workflows)
      .where(status ? eq(workflows.status, status) : undefined)
      .orderBy(desc(workflows.createdAt))
      .limit(limit);
  }

  async running(): Promise<string[]> {
    const rows = await this.db
      .select({ id: workflows.id })
      .from(workflows)
      .where(eq(workflows.status, 'running'))
      .orderBy(asc(workflows.createdAt));
    return rows.map((row) => row.id);
  }

  /** Running workflows with news: a node's task settled or started, or a node's time is up. */
  async needingAttention(): Promise<string[]> {
    const result = await this.db.execute<{ workflow_id: string }>(sql`
      select distinct n.workflow_id from workflow_nodes n join tasks t on t.id = n.task_id
      where n.status in ('queued', 'running')
        and (t.status in ('completed', 'failed', 'cancelled') or (n.status = 'queued' and t.status <> 'pending'))
      union
      select distinct workflow_id from workflow_nodes
      where status in ('queued', 'running') and timeout_ms is not null
        and queued_at + timeout_ms * interval '1 millisecond' <= now()`);
    return result.rows.map((row) => row.workflow_id);
  }
}
