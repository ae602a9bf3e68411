/**
 * The worker-runtime entry: what a process that runs tasks (or serves the api and beat) starts
 * with. `createRuntime` is the one place its connections, record writer, event publisher,
 * fairness, client and projector are built; `runWorkerApp` is a worker app's whole main.
 */

export {
  createRuntime,
  type Runtime,
  type RuntimeEnv,
  type RuntimeOptions,
} from './app/create-runtime.js';
export { type AppConnections, openConnections } from './app/open-connections.js';
export { SubmitQuota, type SubmitQuotaOptions } from './quota/submit-quota.js';
export { checkRedisDurability } from './redis/check-durability.js';
export {
  checkWithin,
  DEFAULT_HEALTH_CHECK_TIMEOUT_MS,
  type DependencyCheck,
  type HealthChecks,
  type HealthReport,
  type HealthRoutes,
  type HealthServer,
  startHealthServer,
} from './worker/health-server.js';
export {
  type AnyTaskImplementation,
  runWorkerApp,
  type WorkerApp,
  type WorkerAppOptions,
  type WorkerAppPlugin,
  type WorkerResources,
} from './worker/run-worker-app.js';
export type {
  TaskAttemptInfo,
  TaskAttemptOutcome,
  TaskLifecycleListener,
  TaskProgressInfo,
} from './worker/task-lifecycle-listener.js';
export { TASK_WORKER_DEFAULTS, TaskWorker, type TaskWorkerOptions } from './worker/task-worker.js';
