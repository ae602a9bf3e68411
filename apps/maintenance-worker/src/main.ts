import { mkdirSync } from 'node:fs';
import { QUEUES } from '@foreman/contracts';
import { runWorkerApp } from '@foreman/core/worker';
import { WorkerMetrics } from '@foreman/metrics';
import { loadMaintenanceEnv } from './env.js';
import { maintenanceTasks } from './tasks/index.js';

const env = loadMaintenanceEnv();
mkdirSync(env.LOG_DIR, { recursive: true });

await runWorkerApp({
  name: 'maintenance-worker',
  queue: QUEUES.maintenance,
  tasks: (resources) => maintenanceTasks(resources, env),
  defaults: { concurrency: 1, healthPort: 3105, recordProjector: true },
  // The maintenance worker carries out completion callbacks and webhooks unless told not to.
  env: { ...process.env, COMPLETION_DISPATCHER: process.env.COMPLETION_DISPATCHER ?? 'true' },
  plugins: [new WorkerMetrics()],
});
