import { TaskError, type TaskErrorContext } from './task-error.js';

export interface ValidationIssue {
  /** Dotted path of the offending field, empty for the payload as a whole. */
  path: string;
  message: string;
}

export class PayloadValidationError extends TaskError {
  constructor(
    readonly issues: ValidationIssue[],
    context: TaskErrorContext,
  ) {
    super(
      'PAYLOAD_INVALID',
      `Invalid payload for "${context.taskName}": ${issues.map((issue) => `${issue.path || '(payload)'}: ${issue.message}`).join('; ')}`,
      context,
    );
  }
}
