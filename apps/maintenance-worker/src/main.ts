import { QUEUES } from '@foreman/contracts';
import { runWorkerApp } from '@foreman/core';
import { maintenanceTasks } from './tasks/index.js';

await runWorkerApp({
  name: 'maintenance-worker',
  queue: QUEUES.maintenance,
  tasks: maintenanceTasks,
  defaults: { concurrency: 1, healthPort: 3105 },
});
