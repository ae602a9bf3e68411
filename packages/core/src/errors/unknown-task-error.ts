import { TaskError } from './task-error.js';

export class UnknownTaskError extends TaskError {
  constructor(taskName: string) {
    super('TASK_UNKNOWN', `No task named "${taskName}" is registered`, { taskName });
  }
}
