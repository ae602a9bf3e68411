import { TaskError, type TaskErrorContext } from './task-error.js';

/** `TaskClient.waitFor` gave up before the task finished; the task itself goes on. */
export class TaskWaitTimeoutError extends TaskError {
  constructor(timeoutMs: number, context: TaskErrorContext) {
    super('TASK_WAIT_TIMEOUT', `Task "${context.taskId}" did not finish within ${timeoutMs} ms`, context);
  }
}
