import { TaskError } from './task-error.js';

/**
 * Thrown by a handler whose outside system pushed back (HTTP 429, SMTP 421) and said when to come
 * back: the worker runs the task again after `retryAfterMs` without spending an attempt. A task
 * pushed back more than `TaskWorkerOptions.maxRateLimitedRuns` times in a row fails as usual.
 */
export class RateLimitedError extends TaskError {
  readonly retryAfterMs: number;

  constructor(
    { retryAfterMs, reason }: { retryAfterMs: number; reason: string },
    options?: { cause?: unknown },
  ) {
    if (!Number.isFinite(retryAfterMs) || retryAfterMs < 0) {
      throw new TypeError('RateLimitedError: retryAfterMs must be a number of milliseconds, 0 or more');
    }
    super(
      'TASK_RATE_LIMITED',
      `Rate limited, retry after ${Math.ceil(retryAfterMs / 1_000)} s: ${reason}`,
      {},
      options,
    );
    this.retryAfterMs = retryAfterMs;
  }
}
