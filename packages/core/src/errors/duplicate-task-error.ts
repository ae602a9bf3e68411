import { TaskError } from './task-error.js';

export class DuplicateTaskError extends TaskError {
  constructor(taskName: string) {
    super('TASK_DUPLICATE', `A task named "${taskName}" is already registered`, { taskName });
  }
}
