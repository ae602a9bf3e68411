import { TaskError } from './task-error.js';

export class TaskNotFoundError extends TaskError {
  constructor(taskId: string, where = 'in any queue') {
    super('TASK_NOT_FOUND', `No task with id "${taskId}" ${where}`, { taskId });
  }
}
