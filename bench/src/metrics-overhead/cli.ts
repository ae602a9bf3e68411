/**
 * Throughput of a worker with metrics off vs on, against the local Redis and PostgreSQL that the
 * tests use. `pnpm bench` (BENCH_TASKS, BENCH_ROUNDS, BENCH_CONCURRENCY to change the load).
 */
import { loadConfig, positiveInt } from '@foreman/config';
import { createTestRedis } from '@foreman/core/testing';
import { createTestDatabase } from '@foreman/db/testing';
import { z } from 'zod';
import { runOverhead } from './run-overhead.js';

const env = loadConfig(
  z.object({
    BENCH_TASKS: positiveInt(3_000),
    BENCH_ROUNDS: positiveInt(3),
    BENCH_CONCURRENCY: positiveInt(8),
  }),
);
const redis = await createTestRedis('bench-metrics');
const database = await createTestDatabase('bench_metrics');
try {
  const result = await runOverhead({
    redis: redis.redis,
    prefix: redis.prefix,
    db: database.database.db,
    tasks: env.BENCH_TASKS,
    rounds: env.BENCH_ROUNDS,
    concurrency: env.BENCH_CONCURRENCY,
  });
  const line = (label: string, runs: typeof result.off) =>
    `${label}: ${runs.map((run) => run.tasksPerSecond.toFixed(0)).join(', ')} tasks/s`;
  console.log(
    `metrics overhead: ${env.BENCH_TASKS} no-op tasks x ${env.BENCH_ROUNDS} rounds, concurrency ${env.BENCH_CONCURRENCY}`,
  );
  console.log(line('  off', result.off));
  console.log(line('  on ', result.on));
  console.log(
    `  median off ${result.medianOff.toFixed(0)} tasks/s, on ${result.medianOn.toFixed(0)} tasks/s, overhead ${result.overheadPercent.toFixed(1)}%`,
  );
} finally {
  await redis.cleanup();
  await database.drop();
}
