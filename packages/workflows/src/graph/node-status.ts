import type { WorkflowNodeStatus } from '@foreman/db';

/** Lifecycle of a node: waiting -> queued -> running -> completed | failed, or waiting -> skipped. */
export type NodeStatus = WorkflowNodeStatus;

const SETTLED: ReadonlySet<NodeStatus> = new Set(['completed', 'failed', 'skipped']);

export function isSettled(status: NodeStatus): boolean {
  return SETTLED.has(status);
}
