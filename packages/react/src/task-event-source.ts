import { TASK_EVENT_TYPES, type TaskEvent } from '@foreman/api-client';
import { EventSource } from 'eventsource';
import type { ForemanConfig } from './foreman-provider.js';
import { TaskStreamError } from './task-stream-error.js';

export interface TaskEventQuery {
  taskId?: string | undefined;
  workflowId?: string | undefined;
  /** Start after this event (an event's `id`); none: from now. */
  lastEventId?: string | undefined;
}

export interface TaskEventHandlers {
  /** The stream is open (again): events from here on arrive in order, none missed. */
  onReady?: () => void;
  onEvent: (event: TaskEvent) => void;
  onError?: (error: TaskStreamError) => void;
}

/**
 * Follows `GET /events` with a spec EventSource that sends the token in `Authorization` (a
 * browser's own EventSource cannot), and on a dropped connection reconnects with `Last-Event-ID`,
 * so no event is lost. Returns a function that closes it.
 */
export function followTaskEvents(
  config: ForemanConfig,
  query: TaskEventQuery,
  handlers: TaskEventHandlers,
): () => void {
  const url = new URL('events', config.baseUrl.replace(/\/?$/, '/'));
  for (const [name, value] of Object.entries(query)) if (value) url.searchParams.set(name, value);
  const send = config.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const source = new EventSource(url, {
    fetch: (input, init) =>
      send(input, {
        ...init,
        headers: config.token ? { ...init.headers, Authorization: `Bearer ${config.token}` } : init.headers,
      }),
  });
  source.addEventListener('ready', () => handlers.onReady?.());
  for (const type of TASK_EVENT_TYPES) {
    source.addEventListener(type, (message) => {
      handlers.onEvent({ ...(JSON.parse(message.data) as Omit<TaskEvent, 'id'>), id: message.lastEventId });
    });
  }
  source.onerror = (error) => {
    // Closed: the api refused (the source does not retry); else it reconnects by itself.
    const refused = source.readyState === EventSource.CLOSED;
    handlers.onError?.(
      new TaskStreamError(
        refused ? 'STREAM_REFUSED' : 'STREAM_INTERRUPTED',
        error.message ?? (refused ? 'The api refused the event stream' : 'The event stream was interrupted'),
        error.code,
      ),
    );
  };
  return () => source.close();
}
