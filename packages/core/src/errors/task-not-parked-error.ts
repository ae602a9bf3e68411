import { TaskError } from './task-error.js';

/** `TaskClient.wake` was asked to wake a task that is not parked (running, queued or finished). */
export class TaskNotParkedError extends TaskError {
  constructor(taskId: string, state: string) {
    super('TASK_NOT_PARKED', `Cannot wake task "${taskId}": it is ${state}, not parked`, { taskId });
  }
}
