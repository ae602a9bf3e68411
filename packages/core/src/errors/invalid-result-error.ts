import { TaskError, type TaskErrorContext } from './task-error.js';

/** A handler returned something that cannot be stored as JSON or does not match the result schema. */
export class InvalidResultError extends TaskError {
  constructor(reason: string, context: TaskErrorContext) {
    super('RESULT_INVALID', `Task "${context.taskName}" returned an invalid result: ${reason}`, context);
  }
}
