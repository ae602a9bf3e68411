import type { NewDeadLetter, NewTaskRecord, TaskStatus } from '@foreman/db';
import type { Logger } from '@foreman/logger';
import { DelayedError, type Job, UnrecoverableError, WaitingError } from 'bullmq';
import type { TaskJobData, TaskJobProgress } from '../client/job-data.js';
import { InvalidResultError } from '../errors/invalid-result-error.js';
import { TaskCancelledError } from '../errors/task-cancelled-error.js';
import type { TaskErrorContext } from '../errors/task-error.js';
import { TaskParkedError } from '../errors/task-parked-error.js';
import { RateLimitedError } from '../errors/task-rate-limited-error.js';
import { TaskTimeoutError } from '../errors/task-timeout-error.js';
import { WorkerShutdownError } from '../errors/worker-shutdown-error.js';
import { parkedKey } from '../events/channels.js';
import type { TaskEvent } from '../events/task-event.js';
import { jobRecord } from '../records/job-record.js';
import { recordVersion } from '../records/record-version.js';
import type { RedisConnection } from '../redis/create-redis.js';
import type { TaskImplementation } from '../task/implement-task.js';
import type { TaskContext } from '../task/task-context.js';
import { validatePayload } from '../task/validate-payload.js';
import type { WorkflowNodeContext } from '../task/workflow-node-context.js';
import { inTaskSpan } from '../tracing/task-trace.js';
import { RunAbort } from './run-abort.js';
import { runWithTimeLimit } from './run-with-time-limit.js';
import type {
  TaskAttemptInfo,
  TaskAttemptOutcome,
  TaskLifecycleListener,
  TaskProgressInfo,
} from './task-lifecycle-listener.js';
import { toError, toJsonValue } from './to-error.js';

export type TaskJob = Job<TaskJobData, unknown, string>;
type LifecycleStep = keyof TaskLifecycleListener;
type StepArgument<E extends LifecycleStep> = Parameters<NonNullable<TaskLifecycleListener[E]>>[0];
type StepRows = { record: NewTaskRecord; deadLetter?: NewDeadLetter | undefined };

/** What an attempt needs from the worker running it. */
export interface AttemptHost {
  readonly queue: string;
  readonly prefix: string;
  readonly connection: RedisConnection;
  readonly logger: Logger;
  /** Runs a task may be pushed back (`RateLimitedError`) without spending an attempt. */
  readonly maxRateLimitedRuns: number;
  /** Appends a step's event with its rows; never rejects. */
  record(event: Omit<TaskEvent, 'at'>, step: StepRows): Promise<void>;
  /** Tells the lifecycle listeners; never rejects. Nothing to wait for when none returned a promise. */
  notify<E extends LifecycleStep>(step: E, argument: StepArgument<E>): Promise<void> | undefined;
}

/**
 * One run of one job: what it is, the rows and events it writes, and the one way each run ends
 * (completed, failed or retrying, cancelled, requeued by a shutdown, parked).
 */
export class TaskAttempt {
  readonly taskId: string;
  /** Attempts counted for retries (a crash is not the task's fault)... */
  readonly attempt: number;
  /** ...and runs counted on the record, which orders its versions: every start is a new one. */
  readonly run: number;
  /** Aborted by a cancel, a forced shutdown or a lost lock; the handler's signal follows it. */
  readonly controller = new RunAbort();
  private readonly startedAt = new Date();
  private readonly readyAt: number;
  private readonly info: TaskAttemptInfo;
  /** The fields every row of this run shares. No payload: the submit's row carries it. */
  private readonly base: Omit<NewTaskRecord, 'status'>;
  /**
   * The last progress reported, carried by the final row: projectors running side by side may
   * store that row before a progress row, whose lower version is then refused.
   */
  private readonly reported: Pick<NewTaskRecord, 'progress' | 'progressMessage'> = {};
  private taskLogger: Logger | undefined;

  constructor(
    private readonly host: AttemptHost,
    private readonly job: TaskJob,
    private readonly task: TaskImplementation,
    private readonly token: string | undefined,
  ) {
    this.taskId = job.id as string;
    this.attempt = job.attemptsMade + 1;
    this.run = Math.max(job.attemptsStarted, this.attempt);
    const maxAttempts = job.opts.attempts ?? task.contract.retry.attempts;
    this.readyAt = job.timestamp + (job.opts.delay ?? 0);
    const waitMs = Math.max(0, this.startedAt.getTime() - this.readyAt);
    // Rows and outcomes are copies made with Object.assign, not `{ ...a, more }`: on Node 20 a
    // spread followed by more fields builds its object in the runtime, a few µs each, about a
    // tenth of a no-op task for the copies an attempt makes. The job's fields are completed in
    // place: the object is this attempt's own.
    const base: Omit<NewTaskRecord, 'status'> = jobRecord(this.taskId, host.queue, job);
    base.maxRetries = maxAttempts - 1;
    base.attempts = this.run;
    base.startedAt = this.startedAt;
    base.waitMs = waitMs;
    this.base = base;
    this.info = {
      taskId: this.taskId,
      taskName: job.name,
      queue: host.queue,
      attempt: this.attempt,
      maxAttempts,
      userId: job.data.userId,
      workflowId: job.data.workflow?.workflowId,
      flowGroup: job.data.flow?.group,
      payload: job.data.payload,
      waitMs,
      startedAt: this.startedAt,
    };
  }

  /**
   * Runs the attempt to its end: resolves with the result to acknowledge the job with, or rejects
   * with the error BullMQ acts on (retry, fail, or leave the job where the end put it).
   */
  async perform(cancelledBeforeStart: boolean): Promise<unknown> {
    if (cancelledBeforeStart) this.controller.abort(new TaskCancelledError(this.context()));
    if (isOurAbort(this.controller)) return this.abort();
    void this.host.record(this.event('started'), {
      record: Object.assign({}, this.base, {
        status: 'running' as const,
        version: recordVersion('running', this.run),
      }),
    });
    // Awaited only when a listener returned a promise: an await of nothing still costs a turn.
    const started = this.host.notify('onStarted', this.info);
    if (started) await started;
    try {
      return await this.complete(await this.execute());
    } catch (thrown) {
      if (isOurAbort(this.controller)) return this.abort();
      if (thrown instanceof TaskParkedError) return this.park(thrown);
      // Runs not counted as attempts (pushed back, parked, requeued) are bounded, so a system
      // that keeps answering 429 ends in a failure instead of a task that never ends.
      if (thrown instanceof RateLimitedError && this.run - this.attempt < this.host.maxRateLimitedRuns) {
        return this.pushBack(thrown);
      }
      return this.fail(thrown);
    }
  }

  /** Reports progress: the record, the event, the job (for the queue's readers), the listeners. */
  async progress(percent: number, message: string | undefined): Promise<void> {
    if (!Number.isFinite(percent)) throw new TypeError('progress percent must be a number from 0 to 100');
    const clamped = Math.round(Math.max(0, Math.min(100, percent)));
    this.reported.progress = clamped;
    this.reported.progressMessage = message ?? null;
    void this.host.record(this.event('progress', { percent: clamped, message }), {
      record: Object.assign({}, this.base, this.reported, {
        status: 'running' as const,
        version: recordVersion('running', this.run),
      }),
    });
    await this.job.updateProgress({ percent: clamped, message } satisfies TaskJobProgress);
    const progress: TaskProgressInfo = Object.assign({}, this.info, { percent: clamped, message });
    await this.host.notify('onProgress', progress);
  }

  /** The handler, with its payload checked, inside its span and its time limits. */
  private execute(): Promise<unknown> {
    const { contract, handler } = this.task;
    const payload = validatePayload(contract, this.job.data.payload);
    const context = this.context();
    const { info, job } = this;
    const describe = () =>
      Object.assign({}, context, {
        traceparent: job.data.traceparent,
        readyAt: this.readyAt,
        startedAt: this.startedAt,
      });
    return inTaskSpan(describe, () =>
      runWithTimeLimit(
        (abort) =>
          Promise.resolve(handler(payload, new AttemptContext(info, job.data.workflow, abort, this))),
        {
          timeoutMs: contract.timeoutMs,
          softTimeoutMs: contract.softTimeoutMs,
          abort: this.controller,
          onTimeout: () => new TaskTimeoutError(contract.timeoutMs, context),
          onSoftTimeout: () => new TaskTimeoutError(contract.softTimeoutMs ?? 0, context, 'soft'),
        },
      ),
    );
  }

  /** Checks the result against the contract and records the completion. */
  private async complete(returned: unknown): Promise<unknown> {
    const json = toJsonValue(returned);
    if (!json.ok) throw new UnrecoverableError(new InvalidResultError(json.reason, this.context()).message);
    const checked = this.task.contract.result.safeParse(json.value);
    if (!checked.success) {
      throw new UnrecoverableError(new InvalidResultError(checked.error.message, this.context()).message);
    }
    const row = this.row('completed', { result: json.value });
    await this.host.record(this.event('completed'), { record: row });
    const { logger } = this.host;
    // At debug: a line per completion costs a no-op task a tenth of its CPU, and the record, the
    // event and the metrics already tell of it (failures, cancels and push-backs log at info and up).
    // Fields given on the line: a child logger costs more than a no-op task.
    if (logger.isLevelEnabled('debug')) {
      logger.debug(
        { taskId: this.taskId, taskName: this.job.name, attempt: this.attempt, durationMs: row.durationMs },
        'task completed',
      );
    }
    const completed = this.host.notify('onCompleted', this.outcome({ result: json.value }));
    if (completed) await completed;
    return json.value;
  }

  /** Records a failed attempt: retrying, or failed for good with its dead letter. */
  private async fail(thrown: unknown): Promise<never> {
    const error = toError(thrown);
    const final =
      this.attempt >= this.info.maxAttempts || error instanceof UnrecoverableError || isUnrecoverable(error);
    const row = this.row(final ? 'failed' : 'retrying', {
      error: error.message,
      stackTrace: error.stack ?? null,
      ...(final ? {} : { completedAt: null }),
    });
    await this.host.record(this.event(final ? 'failed' : 'retrying', { error: error.message }), {
      record: row,
      deadLetter: final ? deadLetterOf(row, this.job.data.payload, error) : undefined,
    });
    const logger = this.taskLogger ?? this.host.logger.child(this.context());
    logger.warn({ err: error, final }, final ? 'task failed' : 'task attempt failed; will retry');
    await this.host.notify('onFailed', this.outcome({ error, final }));
    throw isUnrecoverable(error) ? new UnrecoverableError(error.message) : error;
  }

  /** Ends an attempt stopped by a cancel (record cancelled) or a forced shutdown (back to the queue). */
  private async abort(): Promise<never> {
    const reason = this.controller.stoppedBy?.reason as Error;
    if (reason instanceof WorkerShutdownError) {
      await this.job.moveToWait(this.token);
      await this.requeued();
      throw new WaitingError();
    }
    await this.host.record(this.event('cancelled', { error: reason.message }), {
      record: this.row('cancelled', { error: reason.message }),
    });
    this.host.logger.info({ taskId: this.taskId }, 'task cancelled');
    await this.host.notify('onCancelled', this.outcome({ error: reason }));
    throw new UnrecoverableError(reason.message);
  }

  /**
   * Puts a task that waits for something outside back as delayed until its deadline: no attempt
   * is spent and no slot held. The marker (gone at the deadline) is what `TaskClient.wake` claims.
   */
  private async park(parked: TaskParkedError): Promise<never> {
    const untilMs = Math.max(parked.untilMs, Date.now() + 1);
    await this.host.connection.set(parkedKey(this.host.prefix, this.taskId), '1', 'PXAT', untilMs);
    // Pending (a new status would need a migration and every reader of statuses to know it): the
    // message says what it waits for.
    return this.delayUntil(untilMs, parked.reason, 'task parked');
  }

  /** Runs the task again after the outside system's wait, without spending an attempt. */
  private async pushBack(limited: RateLimitedError): Promise<never> {
    // First, so a keyed task's group is paused before this run's slot could serve another.
    await this.host.notify(
      'onPushedBack',
      this.outcome({ error: limited, retryAfterMs: limited.retryAfterMs }),
    );
    return this.delayUntil(
      Date.now() + limited.retryAfterMs,
      limited.message,
      'task pushed back by a rate limit',
    );
  }

  /** Puts the job back as delayed until `untilMs`, recorded pending with `reason`; no attempt spent. */
  private async delayUntil(untilMs: number, reason: string, logLine: string): Promise<never> {
    await this.job.moveToDelayed(untilMs, this.token);
    await this.requeued(reason);
    this.host.logger.info({ taskId: this.taskId, until: new Date(untilMs).toISOString(), reason }, logLine);
    throw new DelayedError();
  }

  /**
   * Records a task put back to wait for a later run: pending, at a version above this run's and
   * below the next run's start; its event says it is queued again, as a submit's does.
   */
  private async requeued(message?: string): Promise<void> {
    const row = this.row('pending', {
      completedAt: null,
      ...(message === undefined ? {} : { progressMessage: message }),
    });
    await this.host.record(this.event('submitted', message === undefined ? {} : { message }), {
      record: Object.assign(row, { version: recordVersion('pending', this.run + 1) }),
    });
  }

  /** The row that ends this run (or requeues it), with the last progress reported. */
  private row(status: TaskStatus, extra: Partial<NewTaskRecord> = {}): NewTaskRecord {
    const completedAt = new Date();
    return Object.assign(
      {},
      this.base,
      this.reported,
      {
        status,
        completedAt,
        durationMs: completedAt.getTime() - this.startedAt.getTime(),
        version: recordVersion(status, this.run),
      },
      extra,
    );
  }

  private event(type: TaskEvent['type'], extra?: Partial<TaskEvent>): Omit<TaskEvent, 'at'> {
    const event: Omit<TaskEvent, 'at'> = {
      type,
      taskId: this.taskId,
      taskName: this.job.name,
      queue: this.host.queue,
      userId: this.job.data.userId,
      workflowId: this.info.workflowId,
      attempt: this.attempt,
    };
    // Not a spread: on Node 20 an object literal ending in one is built in the runtime.
    return extra === undefined ? event : Object.assign(event, extra);
  }

  private outcome(extra: Partial<TaskAttemptOutcome>): TaskAttemptOutcome {
    return Object.assign({}, this.info, { durationMs: Date.now() - this.startedAt.getTime() }, extra);
  }

  /** The handler's logger. Made on first use: a child logger costs more than a no-op task, and most never log. */
  handlerLogger(): Logger {
    this.taskLogger ??= this.host.logger.child(this.context());
    return this.taskLogger;
  }

  private context(): Required<Pick<TaskErrorContext, 'taskId' | 'taskName' | 'queue' | 'attempt'>> {
    return { taskId: this.taskId, taskName: this.job.name, queue: this.host.queue, attempt: this.attempt };
  }
}

/**
 * What a handler is given. A class, not an object literal: a literal with getters is built in the
 * runtime property by property, and makes its getters anew each time, a few µs per attempt.
 */
class AttemptContext implements TaskContext {
  readonly taskId: string;
  readonly taskName: string;
  readonly queue: string;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly userId: string | undefined;
  /** Its own property, not a method: handlers may take it out of the context. */
  readonly progress: (percent: number, message?: string) => Promise<void>;
  readonly #abort: RunAbort;
  readonly #run: TaskAttempt;

  constructor(
    info: TaskAttemptInfo,
    readonly workflow: WorkflowNodeContext | undefined,
    abort: RunAbort,
    run: TaskAttempt,
  ) {
    this.taskId = info.taskId;
    this.taskName = info.taskName;
    this.queue = info.queue;
    this.attempt = info.attempt;
    this.maxAttempts = info.maxAttempts;
    this.userId = info.userId;
    this.progress = (percent, message) => run.progress(percent, message);
    this.#abort = abort;
    this.#run = run;
  }

  /** An AbortSignal costs more than a no-op task: made on first read (see RunAbort). */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get logger(): Logger {
    return this.#run.handlerLogger();
  }
}

/** The dead letter of a task failed for good: its final row, its payload and the error. */
export function deadLetterOf(row: NewTaskRecord, payload: unknown, error: Error): NewDeadLetter {
  return {
    taskId: row.id,
    name: row.name,
    queue: row.queue,
    userId: row.userId ?? null,
    payload,
    error: error.message,
    stackTrace: error.stack ?? null,
    attempts: row.attempts ?? 0,
    failedAt: row.completedAt ?? new Date(),
  };
}

/** Aborts the runtime itself caused (cancel, shutdown), as opposed to timeouts and lock loss. */
function isOurAbort(abort: RunAbort): boolean {
  const reason = abort.stoppedBy?.reason;
  return reason instanceof TaskCancelledError || reason instanceof WorkerShutdownError;
}

/**
 * Codes of failures that happen the same way on every attempt: a payload that fails its schema, a
 * file that does not exist (or is a directory), a host name that does not resolve, a malformed URL.
 */
const PERMANENT_CODES = new Set([
  'PAYLOAD_INVALID',
  'ENOENT',
  'ENOTDIR',
  'EISDIR',
  'ENOTFOUND',
  'ERR_INVALID_URL',
]);

/** Whether the error, or what caused it (fetch wraps the network error), is permanent. */
function isUnrecoverable(error: Error): boolean {
  if (error instanceof UnrecoverableError) return false;
  for (let cause: unknown = error, depth = 0; cause && depth < 3; depth += 1) {
    if (PERMANENT_CODES.has((cause as { code?: unknown }).code as string)) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}
