import type { NewDeadLetter, NewTaskRecord, TaskStatus } from '@foreman/db';
import type { Logger } from '@foreman/logger';
import { DelayedError, type Job, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { TASK_BACKOFF, type TaskJobData, type TaskJobProgress } from '../client/job-data.js';
import { InvalidResultError } from '../errors/invalid-result-error.js';
import { TaskCancelledError } from '../errors/task-cancelled-error.js';
import { TaskParkedError } from '../errors/task-parked-error.js';
import { TaskTimeoutError } from '../errors/task-timeout-error.js';
import { UnknownTaskError } from '../errors/unknown-task-error.js';
import { WorkerShutdownError } from '../errors/worker-shutdown-error.js';
import { cancelChannel, cancelledKey, decodeCancelRequest, parkedKey } from '../events/channels.js';
import type { TaskEvent } from '../events/task-event.js';
import type { TaskEventPublisher } from '../events/task-event-publisher.js';
import { jobRecord } from '../records/job-record.js';
import { recordVersion } from '../records/record-version.js';
import type { TaskRecordWriter } from '../records/task-record-writer.js';
import { duplicateRedis, type RedisConnection } from '../redis/create-redis.js';
import type { TaskImplementation } from '../task/implement-task.js';
import { retryDelay } from '../task/retry-policy.js';
import { validatePayload } from '../task/validate-payload.js';
import { inTaskSpan } from '../tracing/task-trace.js';
import { checkWholeNumbers } from '../util/check-options.js';
import { runWithTimeLimit } from './run-with-time-limit.js';
import type {
  TaskAttemptInfo,
  TaskAttemptOutcome,
  TaskLifecycleListener,
  TaskProgressInfo,
} from './task-lifecycle-listener.js';
import { toError, toJsonValue } from './to-error.js';

export interface TaskWorkerOptions {
  queue: string;
  // biome-ignore lint/suspicious/noExplicitAny: implementations of different contracts share one list
  tasks: TaskImplementation<any>[];
  connection: RedisConnection;
  prefix: string;
  /**
   * Where every lifecycle step goes: its event and its record row in one stream entry, which a
   * `RecordProjector` stores. A step that ends an attempt is in Redis before the job is acknowledged.
   */
  events: TaskEventPublisher;
  /** Stores a step's rows directly when it cannot be appended to the stream (Redis error). */
  records: TaskRecordWriter;
  logger: Logger;
  /**
   * Tasks run at once by this process.
   * @defaultValue {@link TASK_WORKER_DEFAULTS}.concurrency
   */
  concurrency?: number;
  /** Told of every attempt's start, progress and end (metrics, tracing, workflows). */
  listeners?: TaskLifecycleListener[];
  /**
   * How long a job's lock lasts without renewal; a dead worker's jobs are retaken after it.
   * @defaultValue {@link TASK_WORKER_DEFAULTS}.lockDurationMs
   */
  lockDurationMs?: number;
  /**
   * How often this worker looks for jobs whose lock expired (their worker died).
   * @defaultValue {@link TASK_WORKER_DEFAULTS}.stalledIntervalMs
   */
  stalledIntervalMs?: number;
  /**
   * Times a job may be retaken from a dead worker before it fails for good; 0 fails it at once.
   * @defaultValue {@link TASK_WORKER_DEFAULTS}.maxStalledCount
   */
  maxStalledCount?: number;
}

/** The defaults of `TaskWorkerOptions`, in one place. */
export const TASK_WORKER_DEFAULTS = {
  concurrency: 1,
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  maxStalledCount: 5,
} as const;
const DEFAULTS = TASK_WORKER_DEFAULTS;
/**
 * How long a cancel request for a task this process is not running is remembered. The request
 * is sent only for a task some worker already holds, so it beats that worker's `process` call by
 * moments at most; a holder that died instead is covered by the marker read on a stalled retake.
 */
const CANCEL_REMEMBERED_MS = 60_000;

type TaskJob = Job<TaskJobData, unknown, string>;
type Listened = Exclude<keyof TaskLifecycleListener, never>;
type ListenerArgument<E extends Listened> = Parameters<NonNullable<TaskLifecycleListener[E]>>[0];

interface RunningAttempt {
  controller: AbortController;
}

/**
 * Consumes one queue and runs each job's handler. Every lifecycle step is recorded here, so
 * handlers only do their work: retries and dead letters, time limits, cancellation, progress and
 * graceful shutdown all come from each task's contract and this runtime.
 */
export class TaskWorker {
  private readonly implementations: Map<string, TaskImplementation>;
  private readonly worker: Worker<TaskJobData, unknown, string>;
  private readonly logger: Logger;
  private readonly running = new Map<string, RunningAttempt>();
  /** Cancel requests that arrived while their task was not running here: the run each stops. */
  private readonly cancelRequests = new Map<string, { run: number; expiresAt: number }>();
  private subscriber: RedisConnection | undefined;

  constructor(private readonly options: TaskWorkerOptions) {
    const settings = {
      concurrency: options.concurrency ?? DEFAULTS.concurrency,
      lockDurationMs: options.lockDurationMs ?? DEFAULTS.lockDurationMs,
      stalledIntervalMs: options.stalledIntervalMs ?? DEFAULTS.stalledIntervalMs,
      maxStalledCount: options.maxStalledCount ?? DEFAULTS.maxStalledCount,
    };
    const { maxStalledCount, ...positive } = settings;
    checkWholeNumbers('TaskWorker', positive);
    checkWholeNumbers('TaskWorker', { maxStalledCount }, 0);
    this.logger = options.logger.child({ queue: options.queue });
    this.implementations = new Map(options.tasks.map((task) => [task.contract.name, task]));
    for (const task of options.tasks) {
      if (task.contract.queue !== options.queue) {
        throw new TypeError(
          `Task "${task.contract.name}" is routed to queue "${task.contract.queue}", not "${options.queue}"`,
        );
      }
    }
    this.worker = new Worker(options.queue, (job, token, signal) => this.process(job, token, signal), {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: settings.concurrency,
      lockDuration: settings.lockDurationMs,
      stalledInterval: settings.stalledIntervalMs,
      maxStalledCount: settings.maxStalledCount,
      autorun: false,
      settings: {
        backoffStrategy: (attemptsMade, type, _error, job) => {
          const task = job && this.implementations.get(job.name);
          if (type !== TASK_BACKOFF || !task) return 0;
          return retryDelay(task.contract.retry, attemptsMade);
        },
      },
    });
    this.worker.on('error', (error) => this.logger.error({ err: error }, 'worker error'));
    this.worker.on('stalled', (jobId) =>
      this.logger.warn({ taskId: jobId }, 'task retaken from a dead worker'),
    );
    this.worker.on('failed', (job, error) => {
      // A job that stalled too often fails without reaching the processor; record it here.
      if (job?.deferredFailure && error.message === job.deferredFailure)
        void this.failUnprocessed(job, error);
    });
  }

  get queue(): string {
    return this.options.queue;
  }

  get taskNames(): string[] {
    return [...this.implementations.keys()];
  }

  /** Starts taking jobs and listening for cancel requests; resolves once connected. */
  async start(): Promise<void> {
    const subscriber = duplicateRedis(this.options.connection);
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, message: string) => {
      const request = decodeCancelRequest(message);
      if (request) this.cancelRunning(request.taskId, request.run);
    });
    await subscriber.subscribe(cancelChannel(this.options.prefix));
    void this.worker.run().catch((error) => this.logger.error({ err: error }, 'worker stopped unexpectedly'));
    await this.worker.waitUntilReady();
  }

  isRunning(): boolean {
    return this.worker.isRunning();
  }

  /** Ids of the tasks this process is running now. */
  runningTaskIds(): string[] {
    return [...this.running.keys()];
  }

  /**
   * Stops taking jobs and waits for those in flight. After `graceMs` the ones still running are
   * aborted and put back in their queue (not counted as an attempt), so none is left running.
   */
  async close({ graceMs = Number.POSITIVE_INFINITY }: { graceMs?: number } = {}): Promise<void> {
    const closing = this.worker.close();
    const grace = Number.isFinite(graceMs)
      ? setTimeout(() => {
          if (this.running.size === 0) return;
          this.logger.error(
            { graceMs, tasks: this.runningTaskIds() },
            'grace period over; requeueing running tasks',
          );
          for (const [taskId, attempt] of this.running) {
            attempt.controller.abort(new WorkerShutdownError({ taskId, queue: this.options.queue }));
          }
        }, graceMs)
      : undefined;
    try {
      await closing;
    } finally {
      clearTimeout(grace);
      const subscriber = this.subscriber;
      this.subscriber = undefined;
      if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
    }
  }

  private cancelRunning(taskId: string, run: number): void {
    const attempt = this.running.get(taskId);
    if (!attempt) {
      this.rememberCancel(taskId, run);
      return;
    }
    this.logger.info({ taskId }, 'cancelling running task');
    attempt.controller.abort(new TaskCancelledError({ taskId, queue: this.options.queue }));
  }

  private rememberCancel(taskId: string, run: number): void {
    const now = Date.now();
    for (const [id, { expiresAt }] of this.cancelRequests) {
      // Oldest first (insertion order): stop at the first one still current.
      if (expiresAt > now) break;
      this.cancelRequests.delete(id);
    }
    this.cancelRequests.delete(taskId);
    this.cancelRequests.set(taskId, { run, expiresAt: now + CANCEL_REMEMBERED_MS });
  }

  /**
   * Whether a cancel for this run came before it started. The request reaches every worker on
   * the cancel channel, so a fresh pickup needs no Redis call; only a job retaken after a stall,
   * whose request may have gone to the dead holder, reads the marker the cancel left. Matching the
   * run keeps a request from stopping a later retry of the same task.
   */
  private async cancelRequested(job: TaskJob, taskId: string, run: number): Promise<boolean> {
    const request = this.cancelRequests.get(taskId);
    if (request && request.run === run && request.expiresAt > Date.now()) {
      this.cancelRequests.delete(taskId);
      return true;
    }
    if (!job.stalledCounter) return false;
    return (await this.options.connection.exists(cancelledKey(this.options.prefix, taskId))) === 1;
  }

  private async notify<E extends Listened>(event: E, payload: ListenerArgument<E>): Promise<void> {
    for (const listener of this.options.listeners ?? []) {
      try {
        await (listener[event] as ((value: typeof payload) => unknown) | undefined)?.call(listener, payload);
      } catch (error) {
        this.logger.error({ err: error, event, taskId: payload.taskId }, 'task lifecycle listener failed');
      }
    }
  }

  /**
   * Appends a step's event with its rows to the stream; a step that ends an attempt is awaited
   * before the job is acknowledged, so once BullMQ forgets the job its record is in Redis. Never
   * rejects: if Redis refuses the append, the rows go to this process's writer instead.
   */
  private async record(
    event: Omit<TaskEvent, 'at'>,
    step: { record: NewTaskRecord; deadLetter?: NewDeadLetter | undefined },
  ): Promise<void> {
    try {
      await this.options.events.append(event, step);
    } catch (error) {
      this.logger.warn(
        { err: error, taskId: event.taskId, status: step.record.status },
        'task step not appended to the event stream; writing its record directly',
      );
      void this.options.records.write(step.record);
      if (step.deadLetter) void this.options.records.writeDeadLetter(step.deadLetter);
    }
  }

  private async process(job: TaskJob, token: string | undefined, signal: AbortSignal | undefined) {
    const task = this.implementations.get(job.name);
    const taskId = job.id as string;
    // Attempts counted for retries (a crash is not the task's fault) ...
    const attempt = job.attemptsMade + 1;
    // ... and runs counted on the record, which orders its versions: every start is a new one.
    const run = Math.max(job.attemptsStarted, attempt);
    const context = { taskId, taskName: job.name, queue: this.options.queue, attempt };
    if (!task) throw new UnrecoverableError(new UnknownTaskError(job.name).message);
    const { contract } = task;
    const maxAttempts = job.opts.attempts ?? contract.retry.attempts;
    const startedAt = new Date();
    const readyAt = job.timestamp + (job.opts.delay ?? 0);
    // No payload: the submit's row carries it, and the writer fills it in from whichever row
    // lands with it (a bulk task's payload in every progress row was most of the stream).
    const base = {
      ...jobRecord(taskId, this.options.queue, job),
      maxRetries: maxAttempts - 1,
      attempts: run,
      startedAt,
      waitMs: Math.max(0, startedAt.getTime() - readyAt),
    };
    const identity = {
      taskId,
      taskName: job.name,
      queue: this.options.queue,
      attempt,
      maxAttempts,
      userId: job.data.userId,
    };
    const event = (type: TaskEvent['type'], extra: Partial<TaskEvent> = {}): Omit<TaskEvent, 'at'> => ({
      type,
      taskId,
      taskName: job.name,
      queue: this.options.queue,
      userId: job.data.userId,
      workflowId: job.data.workflow?.workflowId,
      attempt,
      ...extra,
    });
    const info: TaskAttemptInfo = {
      ...identity,
      workflowId: job.data.workflow?.workflowId,
      payload: job.data.payload,
      waitMs: base.waitMs,
      startedAt,
    };
    const outcome = (extra: Partial<TaskAttemptOutcome>): TaskAttemptOutcome => ({
      ...info,
      durationMs: Date.now() - startedAt.getTime(),
      ...extra,
    });
    // The last progress reported, carried by the attempt's final row: projectors running side by
    // side may store that row before a progress row, whose lower version is then refused.
    const reported: Pick<NewTaskRecord, 'progress' | 'progressMessage'> = {};
    const ended = (status: TaskStatus, extra: Partial<NewTaskRecord> = {}): NewTaskRecord => {
      const completedAt = new Date();
      return {
        ...base,
        ...reported,
        status,
        completedAt,
        durationMs: completedAt.getTime() - startedAt.getTime(),
        version: recordVersion(status, run),
        ...extra,
      };
    };

    const controller = new AbortController();
    this.running.set(taskId, { controller });
    const onLockLost = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onLockLost, { once: true });
    try {
      // A cancel that raced with this pickup is honoured without running.
      if (await this.cancelRequested(job, taskId, run)) controller.abort(new TaskCancelledError(context));
      if (isOurAbort(controller.signal))
        return await this.settleAbort(job, token, controller.signal, ended, outcome, event);

      // Made on first use: a child logger costs more than a no-op task, and most never log.
      let taskLogger: Logger | undefined;
      const logger = () => (taskLogger ??= this.logger.child(context));
      void this.record(event('started'), {
        record: { ...base, status: 'running', version: recordVersion('running', run) },
      });
      await this.notify('onStarted', info);
      try {
        const payload = validatePayload(contract, job.data.payload);
        const spanInfo = { ...context, traceparent: job.data.traceparent, readyAt, startedAt };
        const returned = await inTaskSpan(spanInfo, () =>
          runWithTimeLimit(
            (taskSignal) =>
              Promise.resolve(
                task.handler(payload, {
                  ...identity,
                  workflow: job.data.workflow,
                  signal: taskSignal,
                  get logger() {
                    return logger();
                  },
                  progress: (percent, message) =>
                    this.progress(job, { base, run, info, event, reported }, percent, message),
                }),
              ),
            {
              timeoutMs: contract.timeoutMs,
              softTimeoutMs: contract.softTimeoutMs,
              signal: controller.signal,
              onTimeout: () => new TaskTimeoutError(contract.timeoutMs, context),
              onSoftTimeout: () => new TaskTimeoutError(contract.softTimeoutMs ?? 0, context, 'soft'),
            },
          ),
        );
        const json = toJsonValue(returned);
        if (!json.ok) throw new UnrecoverableError(new InvalidResultError(json.reason, context).message);
        const checked = contract.result.safeParse(json.value);
        if (!checked.success) {
          throw new UnrecoverableError(new InvalidResultError(checked.error.message, context).message);
        }
        const row = ended('completed', { result: json.value });
        await this.record(event('completed'), { record: row });
        if (this.logger.isLevelEnabled('info'))
          logger().info({ durationMs: row.durationMs }, 'task completed');
        await this.notify('onCompleted', outcome({ result: json.value }));
        return json.value;
      } catch (thrown) {
        if (isOurAbort(controller.signal)) {
          return await this.settleAbort(job, token, controller.signal, ended, outcome, event);
        }
        if (thrown instanceof TaskParkedError) return await this.park(job, token, thrown, ended, event);
        const error = toError(thrown);
        const final = attempt >= maxAttempts || error instanceof UnrecoverableError || isUnrecoverable(error);
        const row = ended(final ? 'failed' : 'retrying', {
          error: error.message,
          stackTrace: error.stack ?? null,
          ...(final ? {} : { completedAt: null }),
        });
        await this.record(event(final ? 'failed' : 'retrying', { error: error.message }), {
          record: row,
          deadLetter: final ? deadLetterOf(row, job.data.payload, error) : undefined,
        });
        logger().warn({ err: error, final }, final ? 'task failed' : 'task attempt failed; will retry');
        await this.notify('onFailed', outcome({ error, final }));
        throw isUnrecoverable(error) ? new UnrecoverableError(error.message) : error;
      }
    } finally {
      signal?.removeEventListener('abort', onLockLost);
      this.running.delete(taskId);
    }
  }

  /** Ends an attempt stopped by a cancel (record cancelled) or a forced shutdown (back to the queue). */
  private async settleAbort(
    job: TaskJob,
    token: string | undefined,
    signal: AbortSignal,
    ended: (status: TaskStatus, extra?: Partial<NewTaskRecord>) => NewTaskRecord,
    outcome: (extra: Partial<TaskAttemptOutcome>) => TaskAttemptOutcome,
    event: (type: TaskEvent['type'], extra?: Partial<TaskEvent>) => Omit<TaskEvent, 'at'>,
  ): Promise<never> {
    const reason = signal.reason as Error;
    if (reason instanceof WorkerShutdownError) {
      await job.moveToWait(token);
      await this.recordRequeued(ended, event);
      throw new WaitingError();
    }
    await this.record(event('cancelled', { error: reason.message }), {
      record: ended('cancelled', { error: reason.message }),
    });
    this.logger.info({ taskId: job.id }, 'task cancelled');
    await this.notify('onCancelled', outcome({ error: reason }));
    throw new UnrecoverableError(reason.message);
  }

  /**
   * Records a task put back to wait for a later run: pending, at a version above this run's and
   * below the next run's start; its event says it is queued again, as a submit's does.
   */
  private async recordRequeued(
    ended: (status: TaskStatus, extra?: Partial<NewTaskRecord>) => NewTaskRecord,
    event: (type: TaskEvent['type'], extra?: Partial<TaskEvent>) => Omit<TaskEvent, 'at'>,
    message?: string,
  ): Promise<void> {
    const row = ended('pending', {
      completedAt: null,
      ...(message === undefined ? {} : { progressMessage: message }),
    });
    await this.record(event('submitted', message === undefined ? {} : { message }), {
      record: { ...row, version: recordVersion('pending', row.attempts! + 1) },
    });
  }

  /**
   * Puts a task that waits for something outside back as delayed until its deadline: no attempt
   * is spent and no slot held. The marker (gone at the deadline) is what `TaskClient.wake` claims.
   */
  private async park(
    job: TaskJob,
    token: string | undefined,
    parked: TaskParkedError,
    ended: (status: TaskStatus, extra?: Partial<NewTaskRecord>) => NewTaskRecord,
    event: (type: TaskEvent['type'], extra?: Partial<TaskEvent>) => Omit<TaskEvent, 'at'>,
  ): Promise<never> {
    const taskId = job.id as string;
    const untilMs = Math.max(parked.untilMs, Date.now() + 1);
    await this.options.connection.set(parkedKey(this.options.prefix, taskId), '1', 'PXAT', untilMs);
    await job.moveToDelayed(untilMs, token);
    // Pending (a new status would need a migration and every reader of statuses to know it): the
    // message says what it waits for.
    await this.recordRequeued(ended, event, parked.reason);
    this.logger.info({ taskId, until: new Date(untilMs).toISOString() }, 'task parked');
    throw new DelayedError();
  }

  private async progress(
    job: TaskJob,
    attempt: {
      base: Omit<NewTaskRecord, 'status'>;
      run: number;
      info: TaskAttemptInfo;
      event: (type: TaskEvent['type'], extra?: Partial<TaskEvent>) => Omit<TaskEvent, 'at'>;
      reported: Pick<NewTaskRecord, 'progress' | 'progressMessage'>;
    },
    percent: number,
    message: string | undefined,
  ): Promise<void> {
    if (!Number.isFinite(percent)) throw new TypeError('progress percent must be a number from 0 to 100');
    const { base, run, info, event, reported } = attempt;
    const clamped = Math.round(Math.max(0, Math.min(100, percent)));
    reported.progress = clamped;
    reported.progressMessage = message ?? null;
    void this.record(event('progress', { percent: clamped, message }), {
      record: {
        ...base,
        status: 'running',
        progress: clamped,
        progressMessage: message ?? null,
        version: recordVersion('running', run),
      },
    });
    await job.updateProgress({ percent: clamped, message } satisfies TaskJobProgress);
    const progress: TaskProgressInfo = { ...info, percent: clamped, message };
    await this.notify('onProgress', progress);
  }

  private async failUnprocessed(job: TaskJob, error: Error): Promise<void> {
    const taskId = job.id as string;
    const run = Math.max(job.attemptsStarted, job.attemptsMade);
    const now = new Date();
    const row: NewTaskRecord = {
      ...jobRecord(taskId, this.options.queue, job),
      attempts: run,
      status: 'failed',
      error: error.message,
      completedAt: now,
      version: recordVersion('failed', run),
    };
    this.logger.error({ taskId, err: error }, 'task failed without running');
    await this.record(
      {
        type: 'failed',
        taskId,
        taskName: job.name,
        queue: this.options.queue,
        userId: job.data.userId,
        workflowId: job.data.workflow?.workflowId,
        attempt: run,
        error: error.message,
      },
      { record: row, deadLetter: deadLetterOf(row, job.data.payload, error) },
    );
  }
}

function deadLetterOf(row: NewTaskRecord, payload: unknown, error: Error) {
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
function isOurAbort(signal: AbortSignal): boolean {
  return (
    signal.aborted &&
    (signal.reason instanceof TaskCancelledError || signal.reason instanceof WorkerShutdownError)
  );
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
