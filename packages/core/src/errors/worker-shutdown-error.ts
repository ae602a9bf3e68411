import { TaskError, type TaskErrorContext } from './task-error.js';

/** The reason in-flight handlers are aborted with when a worker's shutdown grace runs out. */
export class WorkerShutdownError extends TaskError {
  constructor(context: TaskErrorContext) {
    super('WORKER_SHUTDOWN', 'The worker is shutting down; the task goes back to its queue', context);
  }
}
