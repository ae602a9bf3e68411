import { baseEnvSchema, loadConfig, positiveInt } from '@foreman/config';

/** What the harness tells a Node worker process (the names our worker apps use). */
export const workerChildEnv = () =>
  loadConfig(baseEnvSchema.extend({ WORKER_CONCURRENCY: positiveInt(1) }), process.env);
