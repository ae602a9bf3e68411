import type { Logger } from '@foreman/logger';
import type { WorkflowNodeContext } from './workflow-node-context.js';

/** What a handler gets besides its payload. */
export interface TaskContext {
  readonly taskId: string;
  readonly taskName: string;
  readonly queue: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly userId: string | undefined;
  /** Aborted when the task is cancelled, times out, or the worker shuts down: stop and clean up. */
  readonly signal: AbortSignal;
  /** A child logger that already carries the task's id, name, queue and attempt. */
  readonly logger: Logger;
  /** Set when the task runs as a workflow node: its parents' results by node key. */
  readonly workflow: WorkflowNodeContext | undefined;
  /** Reports progress (0..100) with an optional message. */
  progress(percent: number, message?: string): Promise<void>;
}
