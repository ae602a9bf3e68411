// Our system as deployed: a worker app (runWorkerApp) with task records in PostgreSQL, task events,
// and the metrics plugin every worker app runs (BENCH_METRICS=off leaves it out, for comparisons).
import { runWorkerApp } from '@foreman/core';
import { WorkerMetrics } from '@foreman/metrics';
import { BENCH_QUEUE, benchImplementations } from '../foreman/bench-tasks.js';
import { foremanWorkerEnv } from './child-env.js';
import { ProgressChannel } from './progress-channel.js';

const env = foremanWorkerEnv();
const channel = new ProgressChannel();
const app = await runWorkerApp({
  name: 'bench-worker',
  queue: BENCH_QUEUE,
  tasks: () => benchImplementations(channel),
  defaults: { concurrency: 1, healthPort: 0, recordProjector: false },
  handleSignals: false,
  plugins: env.BENCH_METRICS === 'on' ? [new WorkerMetrics()] : [],
});
channel.ready();

process.once('SIGTERM', () => {
  void (async () => {
    await app.stop();
    await channel.final({ records: app.records.stats });
    process.exit(0);
  })();
});
