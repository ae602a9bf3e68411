import { baseEnvSchema, loadConfig, positiveInt } from '@foreman/config';
import { z } from 'zod';

/** What the harness tells a Node worker process (the names our worker apps use). */
export const workerChildEnv = () =>
  loadConfig(baseEnvSchema.extend({ WORKER_CONCURRENCY: positiveInt(1) }), process.env);

/** The bench's own switches of our worker, on top of the worker app's settings. */
export const foremanWorkerEnv = () =>
  loadConfig(z.object({ BENCH_METRICS: z.enum(['on', 'off']).default('on') }), process.env);
