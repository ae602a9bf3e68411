/**
 * The producer entry: what a service that only defines and submits tasks needs (contracts, the
 * registry, the typed client, Redis, errors). Its runtime imports stay off the database, the HTTP
 * server and the OpenTelemetry SDK (`test/producer-closure.test.ts` checks it); the full entry
 * adds the worker runtime, records and fairness internals.
 */

export type { LinkedTask, WebhookPolicy } from './client/completion.js';
export type {
  DebounceOptions,
  FlowGroup,
  FlowKey,
  FlowOptions,
  FlowRate,
  SingletonOptions,
} from './client/flow-control.js';
export { type Submitter, SYSTEM_SUBMITTER, userSubmitter } from './client/submitter.js';
export {
  type CancelResult,
  type SubmitOptions,
  type SubmitSettings,
  type SubmittedTask,
  TASK_CLIENT_DEFAULTS,
  TaskClient,
  type TaskClientOptions,
  type TaskHandle,
  type WaitOptions,
} from './client/task-client.js';
export * from './contract.js';
export {
  type CreateRedisOptions,
  createRedis,
  duplicateRedis,
  type RedisConnection,
} from './redis/create-redis.js';
export {
  declareSchedule,
  MAX_MISFIRE_CAP,
  SCHEDULE_POLICY_DEFAULTS,
  type ScheduleDeclaration,
  type ScheduleMisfirePolicy,
  type ScheduleOverlapPolicy,
} from './schedule/schedule-declaration.js';
export { type ScheduleTiming, validateTiming } from './schedule/validate-timing.js';
export {
  type DataOwner,
  EVERY_USER,
  type OwnedTable,
  type RowOwnerLookup,
} from './task/data-owner.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './task/retry-policy.js';
export { TaskRegistry, type TaskTypeDescription } from './task/task-registry.js';
