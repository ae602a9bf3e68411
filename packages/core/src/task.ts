/**
 * The task-author entry: what a file that defines a contract or implements a handler needs
 * (contracts, `implementTask`, the handler's context, the errors a handler throws, retry
 * policies). Like the producer entry, its runtime imports stay off the database, the HTTP server
 * and the OpenTelemetry SDK; the worker runtime that runs handlers is `@foreman/core/worker`.
 */

export * from './contract.js';
export type { TaskEventPublisher } from './events/task-event-publisher.js';
export { stripNul } from './records/nul.js';
export { implementTask, type TaskHandler, type TaskImplementation } from './task/implement-task.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy, retryDelay } from './task/retry-policy.js';
export type { TaskContext } from './task/task-context.js';
export type { ParentOutcome, WorkflowNodeContext } from './task/workflow-node-context.js';
export type { AnyTaskImplementation, WorkerResources } from './worker/run-worker-app.js';
