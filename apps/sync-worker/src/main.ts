import { QUEUES } from '@foreman/contracts';
import { runWorkerApp } from '@foreman/core/worker';
import { WorkerMetrics } from '@foreman/metrics';
import { loadSyncEnv } from './env.js';
import { syncTasks } from './tasks/index.js';

const env = loadSyncEnv();

await runWorkerApp({
  name: 'sync-worker',
  queue: QUEUES.sync,
  tasks: ({ database }) => syncTasks(database.db, env),
  defaults: { concurrency: 2, healthPort: 3104, recordProjector: false },
  plugins: [new WorkerMetrics()],
});
