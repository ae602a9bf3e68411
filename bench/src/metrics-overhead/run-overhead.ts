import type { RedisConnection } from '@foreman/core';
import type { Db } from '@foreman/db';
import { HostMetrics, MetricsRegistry, ProcessMetrics, TaskMetrics } from '@foreman/metrics';
import { measureThroughput, type ThroughputRun } from './measure-throughput.js';

export interface OverheadResult {
  off: ThroughputRun[];
  on: ThroughputRun[];
  medianOff: number;
  medianOn: number;
  /** Throughput lost with metrics on, in percent of metrics off (negative: noise in favour of on). */
  overheadPercent: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/**
 * Alternates runs without and with the full worker metrics (task instruments and windows,
 * process and host gauges, a Prometheus scrape every second) and compares median throughput.
 */
export async function runOverhead(options: {
  redis: RedisConnection;
  prefix: string;
  db: Db;
  tasks: number;
  rounds: number;
  concurrency: number;
}): Promise<OverheadResult> {
  const off: ThroughputRun[] = [];
  const on: ThroughputRun[] = [];
  for (let round = 0; round < options.rounds; round++) {
    off.push(await measureThroughput({ ...options, listeners: [] }));
    const registry = new MetricsRegistry({ service: 'bench' });
    const taskMetrics = new TaskMetrics({ meter: registry.meter });
    const processMetrics = new ProcessMetrics(registry.meter);
    new HostMetrics({ meter: registry.meter });
    const scraper = setInterval(() => void registry.scrape(), 1_000);
    try {
      on.push(await measureThroughput({ ...options, listeners: [taskMetrics] }));
    } finally {
      clearInterval(scraper);
      processMetrics.stop();
      await registry.shutdown();
    }
  }
  const medianOff = median(off.map((run) => run.tasksPerSecond));
  const medianOn = median(on.map((run) => run.tasksPerSecond));
  return { off, on, medianOff, medianOn, overheadPercent: ((medianOff - medianOn) / medianOff) * 100 };
}
