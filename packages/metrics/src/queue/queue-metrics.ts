import type { RedisConnection } from '@foreman/core';
import type { Meter } from '@opentelemetry/api';
import { Queue } from 'bullmq';
import { QUEUE_STATES, type QueueDepth } from './queue-depth.js';

export interface QueueMetricsOptions {
  /** Where the depth gauge is registered; without one, depths are only read on request. */
  meter?: Meter;
  connection: RedisConnection;
  prefix: string;
  queues: string[];
  /**
   * Dead letters of a queue. By default the queue's failed set: BullMQ keeps jobs that exhausted
   * their attempts there. A deployment with a separate dead-letter queue passes its own count.
   */
  deadLetters?: (queue: string, depth: Omit<QueueDepth, 'deadLetters'>) => Promise<number>;
}

const LABELS: Record<(typeof QUEUE_STATES)[number], string> = {
  waiting: 'waiting',
  prioritized: 'prioritized',
  delayed: 'delayed',
  active: 'active',
  failed: 'failed',
  deadLetters: 'dead_letter',
};

/** Queue depth per state, read from BullMQ at scrape time (one round trip per queue). */
export class QueueMetrics {
  private readonly queues: Queue[];

  constructor(private readonly options: QueueMetricsOptions) {
    this.queues = options.queues.map(
      (name) => new Queue(name, { connection: options.connection, prefix: options.prefix }),
    );
    options.meter
      ?.createObservableGauge('foreman_queue_jobs', { description: 'Jobs in a queue by state' })
      .addCallback(async (result) => {
        for (const depth of await this.depths()) {
          for (const state of QUEUE_STATES)
            result.observe(depth[state], { queue: depth.queue, state: LABELS[state] });
        }
      });
  }

  async depths(): Promise<QueueDepth[]> {
    return Promise.all(
      this.queues.map(async (queue) => {
        const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed');
        const depth = {
          queue: queue.name,
          waiting: counts.waiting ?? 0,
          prioritized: counts.prioritized ?? 0,
          delayed: counts.delayed ?? 0,
          active: counts.active ?? 0,
          failed: counts.failed ?? 0,
        };
        const deadLetters = this.options.deadLetters
          ? await this.options.deadLetters(queue.name, depth)
          : depth.failed;
        return { ...depth, deadLetters };
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((queue) => queue.close()));
  }
}
