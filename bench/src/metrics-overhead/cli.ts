/**
 * Throughput of a worker with metrics off vs on, against the local Redis and PostgreSQL that the
 * tests use: `pnpm bench:metrics` (BENCH_TASKS, BENCH_ROUNDS, BENCH_WARMUP_ROUNDS,
 * BENCH_CONCURRENCY, BENCH_SCRAPE_MS to change the load). Prints every round and the machine's
 * load, so a noisy run shows as one.
 */
import { cpus, loadavg } from 'node:os';
import { loadConfig, positiveInt } from '@foreman/config';
import { createTestRedis } from '@foreman/core/testing';
import { createTestDatabase } from '@foreman/db/testing';
import { z } from 'zod';
import type { Spread } from '../stats/spread.js';
import { runOverhead } from './run-overhead.js';

const env = loadConfig(
  z.object({
    BENCH_TASKS: positiveInt(3_000),
    BENCH_ROUNDS: positiveInt(5),
    BENCH_WARMUP_ROUNDS: z.coerce.number().int().min(0).default(1),
    BENCH_CONCURRENCY: positiveInt(8),
    BENCH_SCRAPE_MS: positiveInt(1_000),
  }),
);
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
const range = (figure: Spread, digits: number, unit: string) =>
  `median ${figure.median.toFixed(digits)}${unit} (min ${figure.min.toFixed(digits)}, max ${figure.max.toFixed(digits)})`;

console.log(
  `metrics overhead: ${env.BENCH_TASKS} no-op tasks per run, concurrency ${env.BENCH_CONCURRENCY}, ` +
    `${env.BENCH_ROUNDS} rounds of off + on (order alternating) after ${env.BENCH_WARMUP_ROUNDS} warm-up, ` +
    `a scrape every ${env.BENCH_SCRAPE_MS} ms while on`,
);
console.log(`  ${cpus().length} CPUs, Node ${process.version}, load average at start ${load()}`);
const redis = await createTestRedis('bench-metrics');
const database = await createTestDatabase('bench_metrics');
try {
  const result = await runOverhead({
    redis: redis.redis,
    prefix: redis.prefix,
    db: database.database.db,
    tasks: env.BENCH_TASKS,
    rounds: env.BENCH_ROUNDS,
    warmupRounds: env.BENCH_WARMUP_ROUNDS,
    concurrency: env.BENCH_CONCURRENCY,
    scrapeIntervalMs: env.BENCH_SCRAPE_MS,
  });
  result.rounds.forEach((round, index) => {
    console.log(
      `  round ${index + 1} (${round.order}): off ${round.off.tasksPerSecond.toFixed(0)}, on ${round.on.tasksPerSecond.toFixed(0)} tasks/s, overhead ${round.overheadPercent.toFixed(1)}%`,
    );
  });
  console.log(`  off: ${range(result.off, 0, ' tasks/s')}`);
  console.log(`  on:  ${range(result.on, 0, ' tasks/s')}`);
  console.log(`  overhead per round: ${range(result.overhead, 1, '%')}`);
  console.log(`  load average at end ${load()}`);
} finally {
  await redis.cleanup();
  await database.drop();
}
