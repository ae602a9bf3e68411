/** What a listener learns about one attempt of a task. */
export interface TaskAttemptInfo {
  taskId: string;
  taskName: string;
  queue: string;
  attempt: number;
  maxAttempts: number;
  userId: string | undefined;
  /** The workflow run the task is a node of, if any. */
  workflowId?: string | undefined;
  /** A keyed task's admission group (`<scope>:<key value>`, see a contract's `flow`). */
  flowGroup?: string | undefined;
  payload: unknown;
  /** Milliseconds the task waited in the queue before this attempt started. */
  waitMs: number;
  startedAt: Date;
}

export interface TaskAttemptOutcome extends TaskAttemptInfo {
  durationMs: number;
  result?: unknown;
  error?: Error;
  /** For failures: true when no further attempt will be made. */
  final?: boolean;
  /** For push-backs: how long until the task runs again. */
  retryAfterMs?: number;
}

export interface TaskProgressInfo extends TaskAttemptInfo {
  percent: number;
  message: string | undefined;
}

/**
 * Observes the worker runtime without changing it: metrics, tracing and workflow orchestration
 * plug in here. A listener that throws is logged and never fails the task.
 */
export interface TaskLifecycleListener {
  onStarted?(info: TaskAttemptInfo): void | Promise<void>;
  onCompleted?(outcome: TaskAttemptOutcome): void | Promise<void>;
  onFailed?(outcome: TaskAttemptOutcome): void | Promise<void>;
  onProgress?(info: TaskProgressInfo): void | Promise<void>;
  /** A running attempt stopped because its task was cancelled; no further attempt follows. */
  onCancelled?(outcome: TaskAttemptOutcome): void | Promise<void>;
  /** A run pushed back by `RateLimitedError`: it runs again after `retryAfterMs`, no attempt spent. */
  onPushedBack?(outcome: TaskAttemptOutcome): void | Promise<void>;
}
