/**
 * What defines a task, shared by the producer and task-author entries: `defineTask`, its types,
 * and every error a task can raise or be refused with.
 */

export * from './errors/index.js';
export {
  DEFAULT_TIMEOUT_MS,
  defineTask,
  MAX_PRIORITY,
  type PayloadInputOf,
  type PayloadOf,
  type ResultOf,
  type TaskAudience,
  type TaskContract,
  type TaskContractSpec,
} from './task/define-task.js';
