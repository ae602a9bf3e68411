/**
 * Jobs of one queue by BullMQ state, and its dead letters. `failed` is BullMQ's failed set (jobs
 * that failed for good, dropped after 7 days); `deadLetters` counts the queue's rows of the
 * `dead_letters` table not yet replayed, which is what an operator has left to look at.
 */
export interface QueueDepth {
  queue: string;
  waiting: number;
  prioritized: number;
  delayed: number;
  active: number;
  failed: number;
  deadLetters: number;
}

/** The BullMQ states `foreman_queue_jobs` reports, one series each. */
export const QUEUE_JOB_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'failed'] as const;
