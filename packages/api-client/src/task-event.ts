/** What happened to a task; one server-sent event of `GET /events` each. */
export const TASK_EVENT_TYPES = [
  'submitted',
  'started',
  'progress',
  'retrying',
  'completed',
  'failed',
  'cancelled',
] as const;

export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];

/**
 * One event as the api streams it: the data of a `GET /events` server-sent event (the stream is
 * not in the OpenAPI document), with the event's `id`.
 */
export interface TaskEvent {
  type: TaskEventType;
  taskId: string;
  taskName: string;
  queue: string;
  userId?: string;
  /** The workflow run the task is a node of, when it is one. */
  workflowId?: string;
  /** ISO time the event happened. */
  at: string;
  attempt?: number;
  /** `progress` events: 0 to 100. */
  percent?: number;
  message?: string;
  /** `failed` and `retrying` events. */
  error?: string;
  /** The event's resume position: pass it as `lastEventId` to continue after it. */
  id: string;
}
