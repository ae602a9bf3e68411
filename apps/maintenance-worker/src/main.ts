import { QUEUES } from '@foreman/contracts';
import { runWorkerApp } from '@foreman/core';
import { WorkerMetrics } from '@foreman/metrics';
import { maintenanceTasks } from './tasks/index.js';

await runWorkerApp({
  name: 'maintenance-worker',
  queue: QUEUES.maintenance,
  tasks: maintenanceTasks,
  defaults: { concurrency: 1, healthPort: 3105 },
  plugins: [new WorkerMetrics()],
});
