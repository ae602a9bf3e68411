import { loadConfig } from '@foreman/config';
import { z } from 'zod';

/** Where the benchmark finds the programs it runs beside Node. */
export const benchEnvSchema = z.object({
  /** redis-server binary; one private server is started per contender. */
  BENCH_REDIS_SERVER: z.string().default('redis-server'),
  /** Python that has Debian's python3-celery (installed with apt-get when missing). */
  BENCH_PYTHON: z.string().default('/usr/bin/python3'),
  /** Extra node flags for the Node worker processes, space-separated (e.g. `--cpu-prof`). */
  BENCH_WORKER_NODE_ARGS: z.string().default(''),
  /** PostgreSQL that `bench:history` loads (in a schema of its own, dropped at the end). */
  BENCH_HISTORY_DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/test'),
});

export type BenchEnv = z.output<typeof benchEnvSchema>;

export const loadBenchEnv = (env = process.env): BenchEnv => loadConfig(benchEnvSchema, env);
