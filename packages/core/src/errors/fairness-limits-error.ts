import { TaskError } from './task-error.js';

/** Per-user limits that do not fit the schema; nothing was stored. */
export class FairnessLimitsError extends TaskError {
  constructor(
    readonly issues: Array<{ path: string; message: string }>,
    queue: string,
  ) {
    super(
      'FAIRNESS_LIMITS_INVALID',
      `Invalid per-user limits for queue "${queue}": ${issues.map((issue) => `${issue.path || '(limits)'}: ${issue.message}`).join('; ')}`,
      { queue },
    );
  }
}
