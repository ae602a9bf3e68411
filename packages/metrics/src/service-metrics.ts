import type { FairScheduler, RedisConnection, TaskRecordWriter } from '@foreman/core';
import type { Db } from '@foreman/db';
import { FairnessMetrics } from './fairness/fairness-metrics.js';
import { MetricsRegistry } from './metrics-registry.js';
import { QueueMetrics } from './queue/queue-metrics.js';
import { RecordMetrics } from './records/record-metrics.js';
import { HostMetrics } from './system/host-metrics.js';
import { ProcessMetrics } from './system/process-metrics.js';

export interface ServiceMetricsOptions {
  service: string;
  /** File system whose space is reported. */
  diskPath?: string;
  /** Queues whose depth and dead letters this app reports (the api reports all of them). */
  queues?: { connection: RedisConnection; prefix: string; names: string[]; db: Db };
  /** The fair admission layer whose per-user shares this app reports (the api's). */
  fairness?: FairScheduler | undefined;
  /** The app's task record writer (the api's), whose refused and dropped rows are reported. */
  records?: TaskRecordWriter | undefined;
}

/** Metrics of an app that runs no tasks itself (api, beat): process, host and queue depth. */
export class ServiceMetrics {
  readonly registry: MetricsRegistry;
  readonly queues: QueueMetrics | undefined;
  readonly fairness: FairnessMetrics | undefined;
  private readonly process: ProcessMetrics;

  constructor(options: ServiceMetricsOptions) {
    this.registry = new MetricsRegistry({ service: options.service });
    this.process = new ProcessMetrics(this.registry.meter);
    new HostMetrics({
      meter: this.registry.meter,
      ...(options.diskPath ? { diskPath: options.diskPath } : {}),
    });
    this.queues = options.queues
      ? new QueueMetrics({
          meter: this.registry.meter,
          connection: options.queues.connection,
          prefix: options.queues.prefix,
          queues: options.queues.names,
          db: options.queues.db,
        })
      : undefined;
    const records = options.records;
    if (records) new RecordMetrics(this.registry.meter, () => records.stats);
    this.fairness = options.fairness
      ? new FairnessMetrics({ meter: this.registry.meter, scheduler: options.fairness })
      : undefined;
  }

  async close(): Promise<void> {
    this.process.stop();
    await this.queues?.close();
    await this.registry.shutdown();
  }
}
