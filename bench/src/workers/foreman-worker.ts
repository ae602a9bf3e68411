// Our system as deployed: a worker app (runWorkerApp) with task records in PostgreSQL and every
// observer the runtime turns on by default. Settings come from the same variables as any worker.
import { runWorkerApp } from '@foreman/core';
import { BENCH_QUEUE, benchImplementations } from '../foreman/bench-tasks.js';
import { ProgressChannel } from './progress-channel.js';

const channel = new ProgressChannel();
const app = await runWorkerApp({
  name: 'bench-worker',
  queue: BENCH_QUEUE,
  tasks: () => benchImplementations(channel),
  defaults: { concurrency: 1, healthPort: 0 },
  handleSignals: false,
});
channel.ready();

process.once('SIGTERM', () => {
  void (async () => {
    await app.stop();
    await channel.final({ records: app.records.stats });
    process.exit(0);
  })();
});
