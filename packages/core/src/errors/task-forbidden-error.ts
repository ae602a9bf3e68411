import { TaskError } from './task-error.js';

/**
 * The submitter may not run this task: a system task submitted by a non-admin user, or a payload
 * that names another user's data. A row that does not exist gets the same answer as another user's,
 * so the error never tells whether it exists.
 */
export class TaskForbiddenError extends TaskError {
  constructor(
    taskName: string,
    readonly userId: string,
    reason: string,
  ) {
    super('TASK_FORBIDDEN', `User "${userId}" may not submit "${taskName}": ${reason}`, { taskName });
  }
}
