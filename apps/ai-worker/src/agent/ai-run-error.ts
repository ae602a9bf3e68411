import { TaskError } from '@foreman/core/task';

export type AiRunErrorCode =
  | 'STEP_LIMIT_REACHED'
  | 'DEADLINE_PASSED'
  | 'TOOL_NOT_REGISTERED'
  /** A `wait_for_approval` step got no decision by its deadline. */
  | 'APPROVAL_TIMED_OUT';

/** A tool-calling run that cannot end with an answer; retrying would only fail again. */
export class AiRunError extends TaskError<AiRunErrorCode> {
  constructor(
    code: AiRunErrorCode,
    message: string,
    readonly taskId: string,
    readonly steps: number,
  ) {
    super(code, message, { taskId });
  }
}
