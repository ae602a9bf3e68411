import type { TaskEvent } from '@foreman/api-client';
import { useEffect, useRef, useState } from 'react';
import { useForemanConfig } from './foreman-provider.js';
import { followTaskEvents } from './task-event-source.js';
import type { TaskStreamError } from './task-stream-error.js';

/** Which events: one task's, one workflow run's, or (neither) every event the token may read. */
export interface TaskEventFilter {
  taskId?: string | undefined;
  workflowId?: string | undefined;
}

export interface TaskEventsOptions {
  /** @defaultValue the `<ForemanProvider>`'s token */
  token?: string | undefined;
  /**
   * Resume after this event (an earlier event's `id`, e.g. kept across a page reload).
   * @defaultValue none: from the moment the stream opens
   */
  lastEventId?: string | undefined;
  /**
   * How many of the latest events `events` keeps.
   * @defaultValue 200
   */
  keep?: number;
}

export interface TaskEventsState {
  /** The events received so far, oldest first (the latest `keep`). */
  events: TaskEvent[];
  /** The `id` of the latest event: where to resume. */
  lastEventId: string | undefined;
  /** The stream is open (false while it reconnects). */
  connected: boolean;
  error: TaskStreamError | undefined;
}

/** Task events live, as they happen; reconnects (resuming after the last event) by itself. */
export function useTaskEvents(filter: TaskEventFilter, options: TaskEventsOptions = {}): TaskEventsState {
  const config = useForemanConfig();
  const token = options.token ?? config.token;
  const keep = options.keep ?? 200;
  const [state, setState] = useState<TaskEventsState>({
    events: [],
    lastEventId: options.lastEventId,
    connected: false,
    error: undefined,
  });
  // Where to start is read when the stream opens; a later change of the option does not reopen it.
  const startAfter = useRef(options.lastEventId);
  const { taskId, workflowId } = filter;
  useEffect(() => {
    return followTaskEvents(
      { ...config, token },
      { taskId, workflowId, lastEventId: startAfter.current },
      {
        onReady: () => setState((current) => ({ ...current, connected: true, error: undefined })),
        onEvent: (event) => {
          startAfter.current = event.id;
          setState((current) => ({
            ...current,
            events: [...current.events, event].slice(-keep),
            lastEventId: event.id,
          }));
        },
        onError: (error) => setState((current) => ({ ...current, connected: false, error })),
      },
    );
  }, [config, token, taskId, workflowId, keep]);
  return state;
}
