import { TaskError, type TaskErrorContext } from './task-error.js';

/** A task waited for (`TaskClient.waitFor`) ended without a result: failed for good or cancelled. */
export class TaskFailedError extends TaskError {
  constructor(
    readonly status: 'failed' | 'cancelled',
    reason: string,
    context: TaskErrorContext,
  ) {
    super('TASK_FAILED', `Task "${context.taskName ?? context.taskId}" ${status}: ${reason}`, context);
  }
}
