import type { NewDeadLetter, NewTaskRecord } from '@foreman/db';
import type { Logger } from '@foreman/logger';
import { UnrecoverableError, Worker } from 'bullmq';
import { TASK_BACKOFF, type TaskJobData } from '../client/job-data.js';
import { TaskCancelledError } from '../errors/task-cancelled-error.js';
import { TaskLockLostError } from '../errors/task-lock-lost-error.js';
import { UnknownTaskError } from '../errors/unknown-task-error.js';
import { WorkerShutdownError } from '../errors/worker-shutdown-error.js';
import { cancelChannel, cancelledKey, decodeCancelRequest } from '../events/channels.js';
import type { TaskEvent } from '../events/task-event.js';
import type { TaskEventPublisher } from '../events/task-event-publisher.js';
import { jobRecord } from '../records/job-record.js';
import { recordVersion } from '../records/record-version.js';
import type { TaskRecordWriter } from '../records/task-record-writer.js';
import { duplicateRedis, type RedisConnection } from '../redis/create-redis.js';
import type { TaskImplementation } from '../task/implement-task.js';
import { retryDelay } from '../task/retry-policy.js';
import { checkWholeNumbers } from '../util/check-options.js';
import { type AttemptHost, deadLetterOf, TaskAttempt, type TaskJob } from './task-attempt.js';
import type { TaskLifecycleListener } from './task-lifecycle-listener.js';

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
  /**
   * Runs of a task not counted as attempts (pushed back by `RateLimitedError`, parked, requeued
   * by a shutdown) after which a further push-back fails the attempt as any error would.
   * @defaultValue {@link TASK_WORKER_DEFAULTS}.maxRateLimitedRuns
   */
  maxRateLimitedRuns?: number;
}

/** The defaults of `TaskWorkerOptions`, in one place. */
export const TASK_WORKER_DEFAULTS = {
  concurrency: 1,
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  maxStalledCount: 5,
  maxRateLimitedRuns: 25,
} as const;
const DEFAULTS = TASK_WORKER_DEFAULTS;
/**
 * How long a cancel request for a task this process is not running is remembered. The request
 * is sent only for a task some worker already holds, so it beats that worker's `process` call by
 * moments at most; a holder that died instead is covered by the marker read on a stalled retake.
 */
const CANCEL_REMEMBERED_MS = 60_000;

/**
 * Consumes one queue and runs each job's handler. Every lifecycle step is recorded here, so
 * handlers only do their work: retries and dead letters, time limits, cancellation, progress and
 * graceful shutdown all come from each task's contract and this runtime.
 */
export class TaskWorker {
  private readonly implementations: Map<string, TaskImplementation>;
  private readonly worker: Worker<TaskJobData, unknown, string>;
  private readonly logger: Logger;
  private readonly running = new Map<string, TaskAttempt>();
  /** What each attempt uses of this worker. */
  private readonly host: AttemptHost;
  /** Cancel requests that arrived while their task was not running here: the run each stops. */
  private readonly cancelRequests = new Map<string, { run: number; expiresAt: number }>();
  private readonly listeners: TaskLifecycleListener[];
  private subscriber: RedisConnection | undefined;

  constructor(private readonly options: TaskWorkerOptions) {
    const settings = {
      concurrency: options.concurrency ?? DEFAULTS.concurrency,
      lockDurationMs: options.lockDurationMs ?? DEFAULTS.lockDurationMs,
      stalledIntervalMs: options.stalledIntervalMs ?? DEFAULTS.stalledIntervalMs,
      maxStalledCount: options.maxStalledCount ?? DEFAULTS.maxStalledCount,
      maxRateLimitedRuns: options.maxRateLimitedRuns ?? DEFAULTS.maxRateLimitedRuns,
    };
    const { maxStalledCount, maxRateLimitedRuns, ...positive } = settings;
    checkWholeNumbers('TaskWorker', positive);
    checkWholeNumbers('TaskWorker', { maxStalledCount, maxRateLimitedRuns }, 0);
    this.logger = options.logger.child({ queue: options.queue });
    this.listeners = options.listeners ?? [];
    this.host = {
      queue: options.queue,
      prefix: options.prefix,
      connection: options.connection,
      logger: this.logger,
      maxRateLimitedRuns: settings.maxRateLimitedRuns,
      record: (event, step) => this.record(event, step),
      notify: (step, argument) => this.notify(step, argument),
    };
    this.implementations = new Map(options.tasks.map((task) => [task.contract.name, task]));
    for (const task of options.tasks) {
      if (task.contract.queue !== options.queue) {
        throw new TypeError(
          `Task "${task.contract.name}" is routed to queue "${task.contract.queue}", not "${options.queue}"`,
        );
      }
    }
    // Two parameters: BullMQ then makes no AbortController per job (its signal only answers
    // `Worker.cancelJob`, which this runtime does not use; lock loss arrives as an event below).
    this.worker = new Worker(options.queue, (job, token) => this.process(job, token), {
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
    this.worker.on('lockRenewalFailed', (jobIds) => this.abortLockLost(jobIds));
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

  /** Stops the runs whose lock could not be renewed: another worker may retake them. */
  private abortLockLost(jobIds: string[]): void {
    for (const taskId of jobIds) {
      const attempt = this.running.get(taskId);
      if (!attempt) continue;
      this.logger.error({ taskId }, 'task lost its lock; aborting its run');
      attempt.controller.abort(new TaskLockLostError({ taskId, queue: this.options.queue }));
    }
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
  private cancelRequested(job: TaskJob, taskId: string, run: number): boolean | Promise<boolean> {
    const request = this.cancelRequests.get(taskId);
    if (request && request.run === run && request.expiresAt > Date.now()) {
      this.cancelRequests.delete(taskId);
      return true;
    }
    if (!job.stalledCounter) return false;
    return this.options.connection
      .exists(cancelledKey(this.options.prefix, taskId))
      .then((count) => count === 1);
  }

  /**
   * Tells each listener in turn. Listeners that return nothing (metrics) are called without a
   * promise between them: only one that returns a promise is waited for, before the next.
   */
  private notify<E extends keyof TaskLifecycleListener>(
    event: E,
    payload: Parameters<NonNullable<TaskLifecycleListener[E]>>[0],
    from = 0,
  ): Promise<void> | undefined {
    const { listeners } = this;
    for (let index = from; index < listeners.length; index += 1) {
      const listener = listeners[index] as TaskLifecycleListener;
      let returned: unknown;
      try {
        returned = (listener[event] as ((value: typeof payload) => unknown) | undefined)?.call(
          listener,
          payload,
        );
      } catch (error) {
        this.listenerFailed(error, event, payload.taskId);
        continue;
      }
      if (returned instanceof Promise) {
        return returned.then(
          () => this.notify(event, payload, index + 1),
          (error: unknown) => {
            this.listenerFailed(error, event, payload.taskId);
            return this.notify(event, payload, index + 1);
          },
        );
      }
    }
    return undefined;
  }

  private listenerFailed(error: unknown, event: string, taskId: string): void {
    this.logger.error({ err: error, event, taskId }, 'task lifecycle listener failed');
  }

  /**
   * Appends a step's event with its rows to the stream; a step that ends an attempt is awaited
   * before the job is acknowledged, so once BullMQ forgets the job its record is in Redis. Never
   * rejects: if Redis refuses the append, the rows go to this process's writer instead.
   */
  private record(
    event: Omit<TaskEvent, 'at'>,
    step: { record: NewTaskRecord; deadLetter?: NewDeadLetter | undefined },
  ): Promise<void> {
    return this.options.events.append(event, step).catch((error: unknown) => {
      this.logger.warn(
        { err: error, taskId: event.taskId, status: step.record.status },
        'task step not appended to the event stream; writing its record directly',
      );
      void this.options.records.write(step.record);
      if (step.deadLetter) void this.options.records.writeDeadLetter(step.deadLetter);
    });
  }

  private async process(job: TaskJob, token: string | undefined): Promise<unknown> {
    const task = this.implementations.get(job.name);
    if (!task) throw new UnrecoverableError(new UnknownTaskError(job.name).message);
    const attempt = new TaskAttempt(this.host, job, task, token);
    this.running.set(attempt.taskId, attempt);
    try {
      const cancelled = this.cancelRequested(job, attempt.taskId, attempt.run);
      return await attempt.perform(typeof cancelled === 'boolean' ? cancelled : await cancelled);
    } finally {
      this.running.delete(attempt.taskId);
    }
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
