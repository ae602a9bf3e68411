import { TaskError } from './task-error.js';

/** A user's submits would pass the submit quota; nothing was counted or submitted. */
export class QuotaExceededError extends TaskError {
  constructor(
    readonly details: { userId: string; limit: number; windowMs: number; used: number; requested: number },
    /** Until the quota's window ends. */
    readonly retryAfterSeconds: number,
  ) {
    const { limit, windowMs, used, requested } = details;
    super(
      'QUOTA_EXCEEDED',
      requested > limit
        ? `${requested} tasks in one request exceed the submit quota of ${limit} per ${windowMs / 1000} s`
        : `Submitting ${requested} more would exceed the submit quota of ${limit} tasks per ${windowMs / 1000} s (${used} used)`,
    );
  }
}
