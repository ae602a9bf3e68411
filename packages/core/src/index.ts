/**
 * The whole core: the producer, task-author and worker-runtime entries, and the internals the api,
 * beat and add-on packages build on (records, fairness, events, dead letters, quotas). Prefer the
 * narrowest entry: `@foreman/core/producer`, `/task` or `/worker`.
 */

export {
  type IdempotencyClaim,
  IdempotencyKeys,
  type IdempotencyKeysOptions,
} from './client/idempotency-keys.js';
export { TASK_BACKOFF, type TaskJobData } from './client/job-data.js';
export { ownerSubmitter } from './client/owner-submitter.js';
export {
  COMPLETIONS_GROUP,
  CompletionDispatcher,
  type CompletionDispatcherOptions,
} from './completion/completion-dispatcher.js';
export {
  type DeadLetterQuery,
  DeadLetterStore,
  type ReplayAllResult,
} from './dead-letters/dead-letter-store.js';
export { cancelChannel, taskEventsStream } from './events/channels.js';
export { TASK_EVENT_TYPES, type TaskEvent, type TaskEventType } from './events/task-event.js';
export { DEFAULT_EVENTS_KEPT, TaskEventPublisher } from './events/task-event-publisher.js';
export { type TaskEventHandler, TaskEventSubscriber } from './events/task-event-subscriber.js';
export { FairDispatcher, type FairDispatcherOptions } from './fairness/fair-dispatcher.js';
export {
  type AdmittedJob,
  ANONYMOUS_USER,
  FAIR_SCHEDULER_DEFAULTS,
  type FairJob,
  FairScheduler,
  type FairSchedulerOptions,
  type FlowKeyLoad,
  type PausedGroup,
  type QueueFairnessMetrics,
  type QueueFlowKeys,
  type UserQueueMetrics,
} from './fairness/fair-scheduler.js';
export * from './producer.js';
export { findNul, NUL_MESSAGE, stripNul } from './records/nul.js';
export {
  PROJECTION_WATCH_DEFAULTS,
  type ProjectionState,
  ProjectionWatch,
  type ProjectionWatchOptions,
} from './records/projection-watch.js';
export { QuarantineLog, type QuarantineLogOptions } from './records/quarantine-log.js';
export {
  RECORD_PROJECTOR_DEFAULTS,
  RECORDS_GROUP,
  RecordProjector,
  type RecordProjectorOptions,
  type RecordProjectorStats,
  readRecordsGroup,
  unstoredIn,
} from './records/record-projector.js';
export { recordVersion } from './records/record-version.js';
export {
  mergeRecords,
  type QuarantinedRow,
  TASK_RECORD_WRITER_DEFAULTS,
  TaskRecordWriter,
  type TaskRecordWriterOptions,
  type TaskRecordWriterStats,
} from './records/task-record-writer.js';
export { unprojectedRecords } from './records/unprojected-records.js';
export {
  nextCronOccurrence,
  nextOccurrence,
  type OccurrenceTiming,
} from './schedule/next-occurrence.js';
export { MIN_EVERY_MS } from './schedule/validate-timing.js';
export { rowOwnerLookup } from './task/row-owner.js';
export { validatePayload } from './task/validate-payload.js';
export * from './task.js';
export { checkWholeNumbers } from './util/check-options.js';
export * from './worker.js';
