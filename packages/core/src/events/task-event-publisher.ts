import type { NewDeadLetter, NewTaskRecord } from '@foreman/db';
import type { Logger } from '@foreman/logger';
import type { RedisConnection } from '../redis/create-redis.js';
import type {
  TaskAttemptInfo,
  TaskAttemptOutcome,
  TaskLifecycleListener,
  TaskProgressInfo,
} from '../worker/task-lifecycle-listener.js';
import { taskEventsStream } from './channels.js';
import type { TaskEvent } from './task-event.js';

/** Events kept in the stream by default; older ones are trimmed. */
export const DEFAULT_EVENTS_KEPT = 10_000;

/**
 * Appends task events to a capped Redis stream, which every reader (SSE, `TaskEventSubscriber`)
 * follows and resumes from. One `XADD` per event: no pub/sub copy, since the stream already wakes
 * blocked readers. As a lifecycle listener it turns every attempt's steps into events. Publishing
 * never blocks or fails a task: events are for live views, the task record is the source of truth.
 */
export class TaskEventPublisher implements TaskLifecycleListener {
  private readonly stream: string;

  constructor(
    private readonly options: {
      connection: RedisConnection;
      prefix: string;
      logger?: Logger | undefined;
      /** About how many events the stream keeps. */
      eventsKept?: number | undefined;
    },
  ) {
    this.stream = taskEventsStream(options.prefix);
  }

  publish(event: Omit<TaskEvent, 'at'> & { at?: string }): void {
    this.append(event).catch((error: unknown) => {
      this.options.logger?.warn({ err: error, taskId: event.taskId }, 'task event not published');
    });
  }

  /**
   * Appends an event with the record row (and dead letter) of the same step, in one entry, for a
   * `RecordProjector` to store; resolves once Redis has it, so a caller can make the step
   * durable before it acknowledges the job.
   */
  async append(
    event: Omit<TaskEvent, 'at'> & { at?: string },
    step: { record?: NewTaskRecord | undefined; deadLetter?: NewDeadLetter | undefined } = {},
  ): Promise<void> {
    const fields = ['event', JSON.stringify({ ...event, at: event.at ?? new Date().toISOString() })];
    if (step.record) fields.push('record', JSON.stringify(step.record));
    if (step.deadLetter) fields.push('deadLetter', JSON.stringify(step.deadLetter));
    const kept = this.options.eventsKept ?? DEFAULT_EVENTS_KEPT;
    await this.options.connection.xadd(this.stream, 'MAXLEN', '~', kept, '*', ...fields);
  }

  onStarted(info: TaskAttemptInfo): void {
    this.publish({ type: 'started', ...ids(info), attempt: info.attempt });
  }

  onProgress(info: TaskProgressInfo): void {
    this.publish({
      type: 'progress',
      ...ids(info),
      attempt: info.attempt,
      percent: info.percent,
      message: info.message,
    });
  }

  onCompleted(outcome: TaskAttemptOutcome): void {
    this.publish({ type: 'completed', ...ids(outcome), attempt: outcome.attempt });
  }

  onFailed(outcome: TaskAttemptOutcome): void {
    this.publish({
      type: outcome.final ? 'failed' : 'retrying',
      ...ids(outcome),
      attempt: outcome.attempt,
      error: outcome.error?.message,
    });
  }

  onCancelled(outcome: TaskAttemptOutcome): void {
    this.publish({ type: 'cancelled', ...ids(outcome), attempt: outcome.attempt });
  }
}

function ids(info: TaskAttemptInfo) {
  return {
    taskId: info.taskId,
    taskName: info.taskName,
    queue: info.queue,
    userId: info.userId,
    workflowId: info.workflowId,
  };
}
