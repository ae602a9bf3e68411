import type { components } from './generated/openapi.js';

/**
 * One event as the api streams it: the data of a `GET /events` server-sent event, with the
 * event's `id` (its resume position: pass it as `lastEventId` to continue after it). Taken from
 * the api's OpenAPI document (`TaskEvent` component, built from core's), so it cannot drift.
 */
export type TaskEvent = components['schemas']['TaskEvent'];

/** What happened to a task; each is also the name of its server-sent event. */
export type TaskEventType = TaskEvent['type'];

/** Every event type, for subscribing to each named event of the stream. */
export const TASK_EVENT_TYPES = [
  'submitted',
  'started',
  'progress',
  'retrying',
  'completed',
  'failed',
  'cancelled',
  'output',
] as const satisfies readonly TaskEventType[];

/** A type the document adds and the list lacks fails to compile here. */
const everyType: Exclude<TaskEventType, (typeof TASK_EVENT_TYPES)[number]> extends never ? true : never =
  true;
void everyType;
