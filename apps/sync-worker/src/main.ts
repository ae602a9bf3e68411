import { QUEUES } from '@foreman/contracts';
import { runWorkerApp } from '@foreman/core';
import { WorkerMetrics } from '@foreman/metrics';
import { syncTasks } from './tasks/index.js';

await runWorkerApp({
  name: 'sync-worker',
  queue: QUEUES.sync,
  tasks: syncTasks,
  defaults: { concurrency: 2, healthPort: 3104 },
  plugins: [new WorkerMetrics()],
});
