/** Jobs of one queue by state. Dead letters are jobs that failed for good and stay for inspection. */
export interface QueueDepth {
  queue: string;
  waiting: number;
  prioritized: number;
  delayed: number;
  active: number;
  failed: number;
  deadLetters: number;
}

export const QUEUE_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'failed', 'deadLetters'] as const;
