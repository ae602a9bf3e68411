import type { Logger } from '@foreman/logger';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { TASK_BACKOFF, type TaskJobData } from '../client/job-data.js';
import { InvalidResultError } from '../errors/invalid-result-error.js';
import { TaskTimeoutError } from '../errors/task-timeout-error.js';
import { UnknownTaskError } from '../errors/unknown-task-error.js';
import { recordVersion } from '../records/record-version.js';
import type { TaskRecordWriter } from '../records/task-record-writer.js';
import type { TaskImplementation } from '../task/implement-task.js';
import { retryDelay } from '../task/retry-policy.js';
import { validatePayload } from '../task/validate-payload.js';
import { runWithTimeLimit } from './run-with-time-limit.js';
import type {
  TaskAttemptInfo,
  TaskAttemptOutcome,
  TaskLifecycleListener,
} from './task-lifecycle-listener.js';
import { toError, toJsonValue } from './to-error.js';

export interface TaskWorkerOptions {
  queue: string;
  // biome-ignore lint/suspicious/noExplicitAny: implementations of different contracts share one list
  tasks: TaskImplementation<any>[];
  connection: Redis;
  prefix: string;
  records: TaskRecordWriter;
  logger: Logger;
  /** Tasks run at once by this process. */
  concurrency?: number;
  /** Told of every attempt's start and end (metrics, tracing, workflows). */
  listeners?: TaskLifecycleListener[];
}

type TaskJob = Job<TaskJobData, unknown, string>;

/**
 * Consumes one queue and runs each job's handler. Every lifecycle step is recorded here, so
 * handlers only do their work; time limits and retry policy come from each task's contract.
 */
export class TaskWorker {
  private readonly implementations: Map<string, TaskImplementation>;
  private readonly worker: Worker<TaskJobData, unknown, string>;
  private readonly logger: Logger;

  constructor(private readonly options: TaskWorkerOptions) {
    this.logger = options.logger.child({ queue: options.queue });
    this.implementations = new Map(options.tasks.map((task) => [task.contract.name, task]));
    for (const task of options.tasks) {
      if (task.contract.queue !== options.queue) {
        throw new TypeError(
          `Task "${task.contract.name}" is routed to queue "${task.contract.queue}", not "${options.queue}"`,
        );
      }
    }
    this.worker = new Worker(options.queue, (job, _token, signal) => this.process(job, signal), {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency ?? 1,
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
  }

  get queue(): string {
    return this.options.queue;
  }

  get taskNames(): string[] {
    return [...this.implementations.keys()];
  }

  /** Starts taking jobs; resolves once the worker is connected. */
  async start(): Promise<void> {
    void this.worker.run().catch((error) => this.logger.error({ err: error }, 'worker stopped unexpectedly'));
    await this.worker.waitUntilReady();
  }

  isRunning(): boolean {
    return this.worker.isRunning();
  }

  /** Stops taking jobs and waits for those in flight to finish, unless `force`. */
  async close(force = false): Promise<void> {
    await this.worker.close(force);
  }

  private async notify<E extends keyof TaskLifecycleListener>(
    event: E,
    payload: E extends 'onStarted' ? TaskAttemptInfo : TaskAttemptOutcome,
  ): Promise<void> {
    for (const listener of this.options.listeners ?? []) {
      try {
        await (listener[event] as ((value: typeof payload) => unknown) | undefined)?.call(listener, payload);
      } catch (error) {
        this.logger.error({ err: error, event, taskId: payload.taskId }, 'task lifecycle listener failed');
      }
    }
  }

  private async process(job: TaskJob, signal: AbortSignal | undefined): Promise<unknown> {
    const task = this.implementations.get(job.name);
    const attempt = job.attemptsMade + 1;
    const context = { taskId: job.id, taskName: job.name, queue: this.options.queue, attempt };
    if (!task) throw new UnrecoverableError(new UnknownTaskError(job.name).message);
    const { contract } = task;
    const maxAttempts = job.opts.attempts ?? contract.retry.attempts;
    const startedAt = new Date();
    const readyAt = job.timestamp + (job.opts.delay ?? 0);
    const base = {
      id: job.id as string,
      name: job.name,
      queue: this.options.queue,
      userId: job.data.userId ?? null,
      priority: job.opts.priority ?? 0,
      payload: job.data.payload,
      maxRetries: maxAttempts - 1,
      createdAt: new Date(job.timestamp),
      queueJobId: job.id ?? null,
      attempts: attempt,
      startedAt,
      waitMs: Math.max(0, startedAt.getTime() - readyAt),
    };
    const logger = this.logger.child(context);
    void this.options.records.write({
      ...base,
      status: 'running',
      version: recordVersion('running', attempt),
    });
    const info: TaskAttemptInfo = {
      taskId: base.id,
      taskName: job.name,
      queue: this.options.queue,
      attempt,
      maxAttempts,
      userId: job.data.userId,
      payload: job.data.payload,
      waitMs: base.waitMs,
      startedAt,
    };
    await this.notify('onStarted', info);

    try {
      const payload = validatePayload(contract, job.data.payload);
      const returned = await runWithTimeLimit(
        (taskSignal) =>
          Promise.resolve(
            task.handler(payload, {
              taskId: base.id,
              taskName: job.name,
              queue: this.options.queue,
              attempt,
              maxAttempts,
              userId: job.data.userId,
              signal: taskSignal,
              logger,
              progress: async (percent, message) => {
                await job.updateProgress({ percent: Math.max(0, Math.min(100, percent)), message });
              },
            }),
          ),
        {
          timeoutMs: contract.timeoutMs,
          ...(signal ? { signal } : {}),
          onTimeout: () => new TaskTimeoutError(contract.timeoutMs, context),
        },
      );
      const json = toJsonValue(returned);
      if (!json.ok) throw new UnrecoverableError(new InvalidResultError(json.reason, context).message);
      const checked = contract.result.safeParse(json.value);
      if (!checked.success) {
        throw new UnrecoverableError(new InvalidResultError(checked.error.message, context).message);
      }
      const completedAt = new Date();
      void this.options.records.write({
        ...base,
        status: 'completed',
        result: json.value,
        completedAt,
        durationMs: completedAt.getTime() - startedAt.getTime(),
        version: recordVersion('completed', attempt),
      });
      logger.info({ durationMs: completedAt.getTime() - startedAt.getTime() }, 'task completed');
      await this.notify('onCompleted', {
        ...info,
        durationMs: completedAt.getTime() - startedAt.getTime(),
        result: json.value,
      });
      return json.value;
    } catch (thrown) {
      const error = toError(thrown);
      const final = attempt >= maxAttempts || error instanceof UnrecoverableError || isUnrecoverable(error);
      const status = final ? 'failed' : 'retrying';
      const completedAt = new Date();
      void this.options.records.write({
        ...base,
        status,
        error: error.message,
        stackTrace: error.stack ?? null,
        completedAt: final ? completedAt : null,
        durationMs: completedAt.getTime() - startedAt.getTime(),
        version: recordVersion(status, attempt),
      });
      logger.warn({ err: error, final }, final ? 'task failed' : 'task attempt failed; will retry');
      await this.notify('onFailed', {
        ...info,
        durationMs: completedAt.getTime() - startedAt.getTime(),
        error,
        final,
      });
      throw isUnrecoverable(error) ? new UnrecoverableError(error.message) : error;
    }
  }
}

/** A payload that fails its schema fails the same way on every attempt. */
function isUnrecoverable(error: Error): boolean {
  return !(error instanceof UnrecoverableError) && (error as { code?: unknown }).code === 'PAYLOAD_INVALID';
}
