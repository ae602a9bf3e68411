import { TaskError } from './task-error.js';

/** An operation that does not apply to the task in its current state (retrying a running task). */
export class TaskStateError extends TaskError {
  constructor(taskId: string, action: string, state: string) {
    super('TASK_STATE_CONFLICT', `Cannot ${action} task "${taskId}": it is ${state}`, { taskId });
  }
}
