/** What became of one parent of a workflow node. */
export interface ParentOutcome {
  status: 'completed' | 'failed' | 'skipped';
  result?: unknown;
  error?: string;
}

/** Set on a task that runs as a node of a workflow: which one, and its parents' outcomes by node key. */
export interface WorkflowNodeContext {
  workflowId: string;
  nodeKey: string;
  parents: Record<string, ParentOutcome>;
}
