import { TaskError, type TaskErrorContext } from './task-error.js';

/** An attempt outlived its hard limit (it failed), or its soft limit (its signal was aborted). */
export class TaskTimeoutError extends TaskError {
  constructor(timeoutMs: number, context: TaskErrorContext, kind: 'hard' | 'soft' = 'hard') {
    super(
      kind === 'hard' ? 'TASK_TIMEOUT' : 'TASK_SOFT_TIMEOUT',
      `Task "${context.taskName}" exceeded its ${kind === 'hard' ? '' : 'soft '}time limit of ${timeoutMs} ms`,
      context,
    );
  }
}
