// A worker process of the fault tests: the real worker app runtime, configured by environment.
import { runWorkerApp } from '../src/worker/run-worker-app.js';
import { faultTasks } from './fault-tasks.js';

await runWorkerApp({
  name: 'fault-worker',
  queue: 'fault',
  tasks: faultTasks,
  defaults: { concurrency: 4, healthPort: 0, recordProjector: true },
});
