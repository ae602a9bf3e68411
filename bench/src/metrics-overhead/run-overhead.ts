import type { RedisConnection } from '@foreman/core';
import type { Db } from '@foreman/db';
import { HostMetrics, MetricsRegistry, ProcessMetrics, QueueMetrics, TaskMetrics } from '@foreman/metrics';
import { type Spread, spread } from '../stats/spread.js';
import { measureThroughput, noop, type ThroughputRun } from './measure-throughput.js';

export interface OverheadRound {
  /** Which side ran first: the order alternates so a drifting machine favours neither. */
  order: 'off-on' | 'on-off';
  off: ThroughputRun;
  on: ThroughputRun;
  /** Throughput lost with metrics on in this round, in percent of its off run. */
  overheadPercent: number;
}

export interface OverheadResult {
  rounds: OverheadRound[];
  /** tasks/s without and with metrics. */
  off: Spread;
  on: Spread;
  /**
   * The per-round (paired) overhead in percent: negative means noise in favour of on. Its median
   * is the figure to quote, its range says how much of it the machine's noise can explain.
   */
  overhead: Spread;
}

export interface OverheadOptions {
  redis: RedisConnection;
  prefix: string;
  db: Db;
  tasks: number;
  rounds: number;
  /** Untimed off + on rounds first, to warm up the JIT, Redis and PostgreSQL. */
  warmupRounds?: number;
  concurrency: number;
  /** How often the metrics are scraped while on (Prometheus here: every 15 s). */
  scrapeIntervalMs?: number;
}

/**
 * Rounds of one run without and one with the full worker metrics (task instruments and windows,
 * process and host gauges, the queue-depth and dead-letter gauges, a Prometheus scrape every
 * `scrapeIntervalMs`), the order alternating each round, compared pairwise per round.
 */
export async function runOverhead(options: OverheadOptions): Promise<OverheadResult> {
  const rounds: OverheadRound[] = [];
  const warmup = options.warmupRounds ?? 0;
  for (let round = 0; round < warmup + options.rounds; round++) {
    const order = round % 2 === 0 ? 'off-on' : 'on-off';
    const [first, second] = order === 'off-on' ? [measureOff, measureOn] : [measureOn, measureOff];
    const firstRun = await first(options);
    const secondRun = await second(options);
    const [off, on] = order === 'off-on' ? [firstRun, secondRun] : [secondRun, firstRun];
    if (round < warmup) continue;
    rounds.push({
      order,
      off,
      on,
      overheadPercent: ((off.tasksPerSecond - on.tasksPerSecond) / off.tasksPerSecond) * 100,
    });
  }
  return {
    rounds,
    off: spread(rounds.map((round) => round.off.tasksPerSecond)),
    on: spread(rounds.map((round) => round.on.tasksPerSecond)),
    overhead: spread(rounds.map((round) => round.overheadPercent)),
  };
}

function measureOff(options: OverheadOptions): Promise<ThroughputRun> {
  return measureThroughput({ ...options, listeners: [] });
}

/** What WorkerMetrics registers in a worker app, scraped while the worker drains. */
async function measureOn(options: OverheadOptions): Promise<ThroughputRun> {
  const registry = new MetricsRegistry({ service: 'bench' });
  const taskMetrics = new TaskMetrics({ meter: registry.meter });
  const processMetrics = new ProcessMetrics(registry.meter);
  new HostMetrics({ meter: registry.meter });
  const queueMetrics = new QueueMetrics({
    meter: registry.meter,
    connection: options.redis,
    prefix: options.prefix,
    queues: [noop.queue],
    db: options.db,
  });
  const scraper = setInterval(() => void registry.scrape(), options.scrapeIntervalMs ?? 1_000);
  try {
    return await measureThroughput({ ...options, listeners: [taskMetrics] });
  } finally {
    clearInterval(scraper);
    processMetrics.stop();
    await queueMetrics.close();
    await registry.shutdown();
  }
}
