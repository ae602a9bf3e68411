import { TaskError, type TaskErrorContext } from './task-error.js';

export class TaskTimeoutError extends TaskError {
  constructor(timeoutMs: number, context: TaskErrorContext) {
    super('TASK_TIMEOUT', `Task "${context.taskName}" exceeded its time limit of ${timeoutMs} ms`, context);
  }
}
