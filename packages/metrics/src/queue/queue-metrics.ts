import type { RedisConnection } from '@foreman/core';
import type { Db } from '@foreman/db';
import type { Meter } from '@opentelemetry/api';
import { Queue } from 'bullmq';
import { DeadLetterCounts } from './dead-letter-counts.js';
import { QUEUE_JOB_STATES, type QueueDepth } from './queue-depth.js';

export interface QueueMetricsOptions {
  /** Where the gauges are registered; without one, depths are only read on request. */
  meter?: Meter;
  connection: RedisConnection;
  prefix: string;
  queues: string[];
  /** Where the dead letters are counted (the `dead_letters` table). */
  db: Db;
  /** How long one count of the dead letters is reused (default 5 s). */
  deadLetterMaxAgeMs?: number;
}

/**
 * Queue depth per state, read from BullMQ at scrape time (one round trip per queue), and the
 * unreplayed dead letters per queue from PostgreSQL (one grouped query per scrape at most):
 * `foreman_queue_jobs{queue,state}` and `foreman_dead_letters{queue}`.
 */
export class QueueMetrics {
  private readonly queues: Queue[];
  private readonly deadLetters: DeadLetterCounts;

  constructor(options: QueueMetricsOptions) {
    this.queues = options.queues.map(
      (name) => new Queue(name, { connection: options.connection, prefix: options.prefix }),
    );
    this.deadLetters = new DeadLetterCounts({
      db: options.db,
      ...(options.deadLetterMaxAgeMs !== undefined ? { maxAgeMs: options.deadLetterMaxAgeMs } : {}),
    });
    const meter = options.meter;
    if (!meter) return;
    const jobs = meter.createObservableGauge('foreman_queue_jobs', {
      description: "Jobs in a queue by BullMQ state (failed: BullMQ's failed set, kept 7 days)",
    });
    const dead = meter.createObservableGauge('foreman_dead_letters', {
      description: 'Dead letters of a queue not yet replayed (rows of the dead_letters table)',
    });
    meter.addBatchObservableCallback(
      async (result) => {
        for (const depth of await this.depths()) {
          for (const state of QUEUE_JOB_STATES)
            result.observe(jobs, depth[state], { queue: depth.queue, state });
          result.observe(dead, depth.deadLetters, { queue: depth.queue });
        }
      },
      [jobs, dead],
    );
  }

  async depths(): Promise<QueueDepth[]> {
    const [counts, deadLetters] = await Promise.all([
      Promise.all(
        this.queues.map((queue) =>
          queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed'),
        ),
      ),
      this.deadLetters.byQueue(),
    ]);
    return this.queues.map((queue, index) => {
      const found = counts[index] ?? {};
      return {
        queue: queue.name,
        waiting: found.waiting ?? 0,
        prioritized: found.prioritized ?? 0,
        delayed: found.delayed ?? 0,
        active: found.active ?? 0,
        failed: found.failed ?? 0,
        deadLetters: deadLetters.get(queue.name) ?? 0,
      };
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((queue) => queue.close()));
  }
}
