import { TaskError, type TaskErrorContext } from './task-error.js';

/** The reason a cancelled task's signal is aborted with. */
export class TaskCancelledError extends TaskError {
  constructor(context: TaskErrorContext) {
    super('TASK_CANCELLED', `Task "${context.taskName ?? context.taskId}" was cancelled`, context);
  }
}
