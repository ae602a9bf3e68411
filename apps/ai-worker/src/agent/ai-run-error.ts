import { TaskError } from '@foreman/core';

export type AiRunErrorCode = 'STEP_LIMIT_REACHED' | 'DEADLINE_PASSED';

/** A tool-calling run that ended before the model answered; retrying would only loop again. */
export class AiRunError extends TaskError {
  constructor(
    code: AiRunErrorCode,
    message: string,
    readonly taskId: string,
    readonly steps: number,
  ) {
    super(code, message, { taskId });
  }
}
