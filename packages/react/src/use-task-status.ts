import { type ApiSchema, createApiClient, type TaskEventType } from '@foreman/api-client';
import { useEffect, useState } from 'react';
import { useForemanConfig } from './foreman-provider.js';
import { followTaskEvents } from './task-event-source.js';
import { TaskStreamError } from './task-stream-error.js';

type Status = ApiSchema<'Task'>['status'];
const ENDED: ReadonlySet<Status> = new Set(['completed', 'failed', 'cancelled']);
/** The status an event puts the task in, shown before its record is read again. */
const STATUS_OF: Partial<Record<TaskEventType, Status>> = {
  started: 'running',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};
/** Reads of the record after an end event, until it shows the end. */
const RECORD_READS = 10;
const RECORD_READ_INTERVAL_MS = 100;

/** A task's record as `GET /tasks/{id}` answers it, with its result typed. */
export type TaskStatus<Result = unknown> = Omit<ApiSchema<'Task'>, 'result'> & { result: Result | null };

export interface TaskStatusState<Result> {
  /** Undefined until the record is first read. */
  task: TaskStatus<Result> | undefined;
  error: TaskStreamError | undefined;
}

export interface TaskStatusOptions {
  /** @defaultValue the `<ForemanProvider>`'s token */
  token?: string | undefined;
}

/**
 * One task's record, kept current over the event stream: progress as it is reported, the
 * record read again at every other event (so `result` is there once it completed). The stream
 * closes once the task has ended. `Result` is the task contract's result type.
 */
export function useTaskStatus<Result = unknown>(
  taskId: string,
  options: TaskStatusOptions = {},
): TaskStatusState<Result> {
  const config = useForemanConfig();
  const token = options.token ?? config.token;
  const [state, setState] = useState<TaskStatusState<Result>>({ task: undefined, error: undefined });
  useEffect(() => {
    let stopped = false;
    const api = createApiClient({ baseUrl: config.baseUrl, token, fetch: config.fetch });
    const fail = (error: TaskStreamError) => {
      if (!stopped) setState((current) => ({ ...current, error }));
    };
    const update = (change: (task: TaskStatus<Result>) => Partial<TaskStatus<Result>>) =>
      setState((current) =>
        current.task ? { ...current, task: { ...current.task, ...change(current.task) } } : current,
      );
    /**
     * Reads the record. After an end event, again until the record shows the end too: the record
     * is stored moments after the event is sent.
     */
    const read = async (untilEnded: boolean) => {
      for (let attempt = 1; !stopped; attempt += 1) {
        const { data, response } = await api.GET('/tasks/{id}', { params: { path: { id: taskId } } });
        if (stopped) return;
        if (!data) {
          const message = `GET /tasks/${taskId} answered ${response.status}`;
          return fail(new TaskStreamError('STREAM_REFUSED', message, response.status));
        }
        setState({ task: data as TaskStatus<Result>, error: undefined });
        if (ENDED.has(data.status)) return close();
        if (!untilEnded || attempt >= RECORD_READS) return;
        await new Promise((resolve) => setTimeout(resolve, RECORD_READ_INTERVAL_MS * attempt));
      }
    };
    const readSafely = (untilEnded: boolean) =>
      void read(untilEnded).catch((error: Error) =>
        fail(new TaskStreamError('STREAM_INTERRUPTED', error.message)),
      );
    const close = followTaskEvents(
      { ...config, token },
      { taskId },
      {
        // Read once the stream is open, so nothing that happens in between is missed.
        onReady: () => readSafely(false),
        onEvent: (event) => {
          if (event.type === 'progress') {
            update((task) => ({
              progress: event.percent ?? task.progress,
              progressMessage: event.message ?? null,
            }));
            return;
          }
          const status = STATUS_OF[event.type];
          if (status) update(() => ({ status }));
          readSafely(status !== undefined && ENDED.has(status));
        },
        onError: fail,
      },
    );
    return () => {
      stopped = true;
      close();
    };
  }, [config, token, taskId]);
  return state;
}
