import { TaskError } from './task-error.js';

/** Fairness settings or metrics asked of a queue that has no fairness configured. */
export class QueueNotFairError extends TaskError {
  constructor(queue: string) {
    super('QUEUE_NOT_FAIR', `Queue "${queue}" has no fairness settings (see FAIRNESS)`, { queue });
  }
}
