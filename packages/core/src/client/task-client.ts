import { randomUUID } from 'node:crypto';
import type { Logger } from '@foreman/logger';
import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { PayloadValidationError } from '../errors/payload-validation-error.js';
import { TaskError } from '../errors/task-error.js';
import { recordVersion } from '../records/record-version.js';
import type { TaskRecordWriter } from '../records/task-record-writer.js';
import { MAX_PRIORITY, type TaskContract } from '../task/define-task.js';
import type { TaskRegistry } from '../task/task-registry.js';
import { validatePayload } from '../task/validate-payload.js';
import { TASK_BACKOFF, type TaskJobData } from './job-data.js';

export interface SubmitOptions {
  userId?: string | undefined;
  /** Overrides the contract's priority (0 FIFO, 1 most urgent). */
  priority?: number | undefined;
  /** Run no sooner than this many milliseconds from now. */
  delayMs?: number | undefined;
  /** Use this id instead of a fresh UUID. */
  taskId?: string | undefined;
}

export interface SubmittedTask {
  taskId: string;
  name: string;
  queue: string;
}

export interface TaskClientOptions {
  registry: TaskRegistry;
  connection: Redis;
  /** Redis key prefix of every queue. */
  prefix: string;
  /** Writes the pending record; without it, records start when a worker picks the task up. */
  records?: TaskRecordWriter | undefined;
  logger?: Logger | undefined;
  /** How long a submit waits for its pending record to be stored before answering anyway. */
  recordWaitMs?: number;
}

interface PreparedJob {
  contract: TaskContract;
  taskId: string;
  payload: unknown;
  data: TaskJobData;
  opts: JobsOptions;
}

/** Submits tasks: validates against the contract, routes to the task's queue, writes the record. */
export class TaskClient {
  private readonly queues = new Map<string, Queue>();
  private readonly recordWaitMs: number;

  constructor(private readonly options: TaskClientOptions) {
    this.recordWaitMs = options.recordWaitMs ?? 2_000;
  }

  get registry(): TaskRegistry {
    return this.options.registry;
  }

  async submit(name: string, payload: unknown, options: SubmitOptions = {}): Promise<SubmittedTask> {
    const job = this.prepare(name, payload, options);
    await this.queue(job.contract.queue).add(name, job.data, job.opts);
    await this.recordPending([job]);
    return { taskId: job.taskId, name, queue: job.contract.queue };
  }

  /** Validates every item first: one bad item rejects the whole batch and nothing is enqueued. */
  async submitBulk(
    items: Array<{ name: string; payload: unknown; options?: SubmitOptions }>,
  ): Promise<SubmittedTask[]> {
    const jobs = items.map((item, index) => {
      try {
        return this.prepare(item.name, item.payload, item.options ?? {});
      } catch (error) {
        if (error instanceof PayloadValidationError) {
          throw new PayloadValidationError(
            error.issues.map((issue) => ({
              ...issue,
              path: [String(index), issue.path].filter(Boolean).join('.'),
            })),
            error.context,
          );
        }
        throw error;
      }
    });
    const byQueue = new Map<string, PreparedJob[]>();
    for (const job of jobs)
      byQueue.set(job.contract.queue, [...(byQueue.get(job.contract.queue) ?? []), job]);
    for (const [queue, queued] of byQueue) {
      await this.queue(queue).addBulk(
        queued.map((job) => ({ name: job.contract.name, data: job.data, opts: job.opts })),
      );
    }
    await this.recordPending(jobs);
    return jobs.map((job) => ({ taskId: job.taskId, name: job.contract.name, queue: job.contract.queue }));
  }

  /** The BullMQ queue behind a queue name, created on first use. */
  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.options.connection, prefix: this.options.prefix });
      this.queues.set(name, queue);
    }
    return queue;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.queues.clear();
  }

  private prepare(name: string, payload: unknown, options: SubmitOptions): PreparedJob {
    const contract = this.options.registry.get(name);
    const parsed = validatePayload(contract, payload);
    const priority = options.priority ?? contract.priority;
    if (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY) {
      throw new TaskError('PRIORITY_INVALID', `priority must be a whole number from 0 to ${MAX_PRIORITY}`, {
        taskName: name,
      });
    }
    const delayMs = options.delayMs ?? 0;
    if (!Number.isFinite(delayMs) || delayMs < 0) {
      throw new TaskError('DELAY_INVALID', 'delayMs must be a non-negative number', { taskName: name });
    }
    const taskId = options.taskId ?? randomUUID();
    return {
      contract,
      taskId,
      payload: parsed,
      data: { payload: parsed, userId: options.userId },
      opts: {
        jobId: taskId,
        priority,
        delay: delayMs,
        attempts: contract.retry.attempts,
        backoff: { type: TASK_BACKOFF },
        // The database keeps the history; Redis keeps only recent jobs for inspection.
        removeOnComplete: { age: 3_600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3_600 },
      },
    };
  }

  private async recordPending(jobs: PreparedJob[]): Promise<void> {
    const records = this.options.records;
    if (!records) return;
    const now = new Date();
    const stored = Promise.all(
      jobs.map((job) =>
        records.write({
          id: job.taskId,
          name: job.contract.name,
          queue: job.contract.queue,
          userId: job.data.userId ?? null,
          status: 'pending',
          priority: Number(job.opts.priority ?? 0),
          payload: job.payload,
          attempts: 0,
          maxRetries: job.contract.retry.attempts - 1,
          createdAt: now,
          queueJobId: job.taskId,
          version: recordVersion('pending', 0),
        }),
      ),
    );
    // The job is already queued; a slow database delays the answer a little, never the task.
    await Promise.race([stored, new Promise((resolve) => setTimeout(resolve, this.recordWaitMs).unref())]);
  }
}
