export const TASK_EVENT_TYPES = [
  'submitted',
  'started',
  'progress',
  'retrying',
  'completed',
  'failed',
  'cancelled',
  /** Text a running task writes as it goes (an AI task's streamed answer), in `message`. */
  'output',
] as const;
export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];

/** One step of a task as published on Redis; the api streams these (e.g. as server-sent events). */
export interface TaskEvent {
  type: TaskEventType;
  taskId: string;
  taskName: string;
  queue: string;
  /** The user the task belongs to, when it has one (live views filter by it). */
  userId?: string | undefined;
  /** The workflow run the task is a node of, when it is one (live views filter by it). */
  workflowId?: string | undefined;
  /** ISO time the event happened. */
  at: string;
  attempt?: number | undefined;
  percent?: number | undefined;
  /** A progress note, or with `output` the text written since the previous `output` event. */
  message?: string | undefined;
  error?: string | undefined;
}
