export { TASK_EVENT_TYPES, type TaskEvent, type TaskEventType } from '@foreman/api-client';
export { type ForemanConfig, ForemanProvider } from './foreman-provider.js';
export { followTaskEvents, type TaskEventHandlers, type TaskEventQuery } from './task-event-source.js';
export { TaskProgress, type TaskProgressProps } from './task-progress.js';
export { TaskStreamError, type TaskStreamErrorCode } from './task-stream-error.js';
export {
  type TaskEventFilter,
  type TaskEventsOptions,
  type TaskEventsState,
  useTaskEvents,
} from './use-task-events.js';
export {
  type TaskStatus,
  type TaskStatusOptions,
  type TaskStatusState,
  useTaskStatus,
} from './use-task-status.js';
