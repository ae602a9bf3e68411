import { TaskError, type TaskErrorContext } from './task-error.js';

/**
 * The reason a handler's signal is aborted with when its worker could not renew the job's lock:
 * another worker may retake the job once the lock expires, so this run should stop.
 */
export class TaskLockLostError extends TaskError {
  constructor(context: TaskErrorContext) {
    super('TASK_LOCK_LOST', `Task "${context.taskName ?? context.taskId}" lost its lock`, context);
  }
}
