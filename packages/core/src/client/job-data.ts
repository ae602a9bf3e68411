import type { WorkflowNodeContext } from '../task/workflow-node-context.js';
import type { FlowGroup } from './flow-control.js';

/** What travels in a queue job besides its name (the task name) and id (the task id). */
export interface TaskJobData {
  payload: unknown;
  userId?: string | undefined;
  /** W3C traceparent of the submitting request, when tracing is on. */
  traceparent?: string | undefined;
  /** Set on a replayed dead letter: the id of the task it replays. */
  replayOf?: string | undefined;
  /** Set when the task runs as a workflow node. */
  workflow?: WorkflowNodeContext | undefined;
  /** Set on a keyed task (`flow`): the admission group it counts against, with its limits. */
  flow?: FlowGroup | undefined;
}

/** Name of the BullMQ backoff strategy that applies each task's own retry policy. */
export const TASK_BACKOFF = 'task-policy';

/** A job's progress as the worker stores it (`job.updateProgress`). */
export interface TaskJobProgress {
  percent: number;
  message?: string | undefined;
}
