import { randomUUID } from 'node:crypto';
import type { NewTaskRecord, TaskRecord, TaskStatus } from '@foreman/db';
import type { Logger } from '@foreman/logger';
import { Job, type JobsOptions, Queue } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import type { z } from 'zod';
import { PayloadTooLargeError } from '../errors/payload-too-large-error.js';
import { PayloadValidationError } from '../errors/payload-validation-error.js';
import { TaskError } from '../errors/task-error.js';
import { TaskFailedError } from '../errors/task-failed-error.js';
import { TaskForbiddenError } from '../errors/task-forbidden-error.js';
import { TaskNotFoundError } from '../errors/task-not-found-error.js';
import { TaskNotParkedError } from '../errors/task-not-parked-error.js';
import { TaskStateError } from '../errors/task-state-error.js';
import { TaskWaitTimeoutError } from '../errors/task-wait-timeout-error.js';
import { cancelChannel, cancelledKey, encodeCancelRequest, parkedKey } from '../events/channels.js';
import type { TaskEventPublisher } from '../events/task-event-publisher.js';
import type { AdmittedJob, FairScheduler } from '../fairness/fair-scheduler.js';
import { jobRecord } from '../records/job-record.js';
import { findNul, NUL_MESSAGE, stripNul } from '../records/nul.js';
import { recordVersion } from '../records/record-version.js';
import type { RedisConnection } from '../redis/create-redis.js';
import { EVERY_USER, type RowOwnerLookup } from '../task/data-owner.js';
import { MAX_PRIORITY, type TaskContract } from '../task/define-task.js';
import type { TaskRegistry } from '../task/task-registry.js';
import { validatePayload } from '../task/validate-payload.js';
import type { WorkflowNodeContext } from '../task/workflow-node-context.js';
import { activeTraceparent } from '../tracing/task-trace.js';
import { checkWholeNumbers } from '../util/check-options.js';
import {
  type CompletionPlan,
  checkWebhookUrl,
  completionKey,
  type LinkedTask,
  type WebhookPolicy,
} from './completion.js';
import {
  checkDebounce,
  type DebounceOptions,
  FlowControl,
  type FlowGroup,
  type FlowOptions,
  flowGroupOf,
  flowKeyValue,
  type SingletonOptions,
} from './flow-control.js';
import { type IdempotencyClaim, IdempotencyKeys } from './idempotency-keys.js';
import { TASK_BACKOFF, type TaskJobData, type TaskJobProgress } from './job-data.js';
import { JobsWithEntries } from './jobs-with-entries.js';
import { type Submitter, SYSTEM_SUBMITTER } from './submitter.js';

/**
 * How to submit. A task submitted for a user (`userId`) names its `submitter`, whose rights decide
 * whether it may run (see `TaskClient.authorize`); without a user, the system submits it.
 */
export type SubmitOptions = SubmitSettings &
  (
    | { userId: string | undefined; submitter: Submitter }
    | { userId?: undefined; submitter?: Submitter | undefined }
  );

export interface SubmitSettings {
  /** Overrides the contract's priority (0 FIFO, 1 most urgent). */
  priority?: number | undefined;
  /** Run no sooner than this many milliseconds from now. */
  delayMs?: number | undefined;
  /** Run no sooner than this moment (instead of `delayMs`). */
  runAt?: Date | undefined;
  /** Use this id instead of a fresh UUID. */
  taskId?: string | undefined;
  /** The same key for the same task within the window returns the first task and enqueues nothing. */
  idempotencyKey?: string | undefined;
  /** How long an idempotency key holds; the client's `idempotencyWindowMs` by default. */
  idempotencyWindowMs?: number | undefined;
  /** Set when replaying a dead letter: the id of the task this one replays. */
  replayOf?: string | undefined;
  /** Runs the task as a workflow node, with its parents' outcomes (set by the workflow engine). */
  workflow?: WorkflowNodeContext | undefined;
  /**
   * Collapse submits with the same key into one delayed run with the latest payload (replaces the
   * contract's `debounce`); the answer is the run's task id, `deduplicated` when it existed.
   */
  debounce?: DebounceOptions | undefined;
  /** At most one queued-or-running task per key (replaces the contract's `singleton`). */
  singleton?: SingletonOptions | undefined;
  /**
   * Flow key and limits (replaces the contract's `flow`); only for a queue that goes through
   * admission (in `FAIRNESS`, or with a task that declares `flow`).
   */
  flow?: FlowOptions | undefined;
  /** Tasks submitted (once each) when this task completes. */
  link?: LinkedTask[] | undefined;
  /** Tasks submitted (once each) when this task fails for good or is cancelled. */
  linkError?: LinkedTask[] | undefined;
  /** URL that gets a signed POST when the task ends; checked against the client's `webhooks` policy. */
  webhook?: string | undefined;
}

export interface SubmittedTask {
  taskId: string;
  name: string;
  queue: string;
  /**
   * True when this submit made no task: it answers the one it joined (same idempotency key, a
   * debounced run it collapsed into, or the singleton key's holder).
   */
  deduplicated?: boolean;
}

/** A task submitted by its contract: `result()` waits for it and is typed with the contract's result. */
export interface TaskHandle<Result> extends SubmittedTask {
  result(options?: WaitOptions): Promise<Result>;
}

export interface WaitOptions {
  /**
   * How long to wait for the task to finish before TaskWaitTimeoutError (the task goes on).
   * @defaultValue 60_000
   */
  timeoutMs?: number;
  /**
   * Longest pause between two looks at the task's job; the first is 10 ms, each next one twice as long.
   * @defaultValue 500
   */
  maxPollMs?: number;
}

/** What `cancel` did: removed a waiting task, or asked the worker running it to stop. */
export interface CancelResult {
  taskId: string;
  status: 'cancelled' | 'cancelling';
  /** The queue state the task was in. */
  was: string;
}

export interface TaskClientOptions {
  registry: TaskRegistry;
  connection: RedisConnection;
  /** Redis key prefix of every queue. */
  prefix: string;
  logger?: Logger | undefined;
  /**
   * Largest payload (as JSON) a submit accepts.
   * @defaultValue {@link TASK_CLIENT_DEFAULTS}.maxPayloadBytes
   */
  maxPayloadBytes?: number;
  /**
   * Window of idempotency keys a submit gives none of its own.
   * @defaultValue {@link TASK_CLIENT_DEFAULTS}.idempotencyWindowMs
   */
  idempotencyWindowMs?: number;
  /**
   * Appends the `submitted` and `cancelled` events, each carrying its record row for a
   * `RecordProjector` to store. Without it the client writes no events and no records (they
   * start when a worker picks the task up).
   */
  events?: TaskEventPublisher | undefined;
  /** Admission layer of queues with fair sharing between users; other queues get jobs directly. */
  fairness?: FairScheduler | undefined;
  /**
   * Finds the owners of rows that payloads name (`ownedBy` of a contract), e.g. `rowOwnerLookup(db)`;
   * without it a non-admin user may not submit such a payload.
   */
  rowOwner?: RowOwnerLookup | undefined;
  /** Which webhook URLs submits may give; without it a submit with a webhook is refused. */
  webhooks?: WebhookPolicy | undefined;
  /**
   * How long a task's completion plan (links, webhook) waits in Redis for its task to end; a task
   * that ends later gets no callbacks.
   * @defaultValue {@link TASK_CLIENT_DEFAULTS}.completionTtlMs (7 days, the queue's failed-job retention)
   */
  completionTtlMs?: number | undefined;
}

/** The defaults of `TaskClientOptions`, in one place. */
export const TASK_CLIENT_DEFAULTS = {
  maxPayloadBytes: 1_048_576,
  idempotencyWindowMs: 24 * 3_600_000,
  completionTtlMs: 7 * 24 * 3_600_000,
} as const;
const DEFAULTS = TASK_CLIENT_DEFAULTS;
/** A cancelled task's marker outlives any race between a cancel and a worker's pickup. */
const CANCEL_MARKER_MS = 24 * 3_600_000;
const WAITING_STATES = new Set(['waiting', 'delayed', 'prioritized', 'paused', 'waiting-children']);
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
/** Every job's backoff and retention, the same objects for all of them. */
const JOB_OPTIONS = {
  backoff: { type: TASK_BACKOFF },
  // The database keeps the history; Redis keeps only recent jobs for inspection.
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3_600 },
} satisfies JobsOptions;

interface PreparedJob {
  contract: TaskContract;
  taskId: string;
  payload: unknown;
  data: TaskJobData;
  opts: JobsOptions;
  idempotency?: { key: string; windowMs: number } | undefined;
  debounce?: { stateKey: string; options: DebounceOptions } | undefined;
  singleton?: { key: string; mode: 'return' | 'replace' } | undefined;
  completion?: CompletionPlan | undefined;
}

type TaskJob = Job<TaskJobData, unknown, string>;
/** What `Job.addJob` is given to send its add script on: a connection or a transaction. */
type JobClient = Parameters<TaskJob['addJob']>[0];

function submitterOf(options: SubmitOptions): Submitter {
  if (options.submitter) return options.submitter;
  // Types require it; a JavaScript caller that leaves it out must not get the system's rights.
  if (options.userId !== undefined) throw new TypeError('A task submitted for a user names its submitter');
  return SYSTEM_SUBMITTER;
}

/** The system and admins may run any task for anyone. */
const unrestricted = (
  submitter: Submitter,
): submitter is Extract<Submitter, { kind: 'system' }> | (Submitter & { admin: true }) =>
  submitter.kind === 'system' || submitter.admin;

const claimOf = (job: PreparedJob): IdempotencyClaim | undefined =>
  job.idempotency && { ...job.idempotency, taskId: job.taskId };

/**
 * Submits tasks (validated against the contract, routed to the task's queue, recorded) and
 * controls them afterwards: cancel and retry.
 */
export class TaskClient {
  private readonly queues = new Map<string, Queue>();
  private readonly settings: Record<keyof typeof DEFAULTS, number>;
  private readonly idempotency: IdempotencyKeys;
  private readonly flow: FlowControl;
  private readonly withEntries: JobsWithEntries | undefined;

  constructor(private readonly options: TaskClientOptions) {
    this.withEntries = options.events && new JobsWithEntries(options.connection, options.events);
    this.idempotency = new IdempotencyKeys({ connection: options.connection });
    this.flow = new FlowControl({ connection: options.connection, prefix: options.prefix });
    this.settings = {
      maxPayloadBytes: options.maxPayloadBytes ?? DEFAULTS.maxPayloadBytes,
      idempotencyWindowMs: options.idempotencyWindowMs ?? DEFAULTS.idempotencyWindowMs,
      completionTtlMs: options.completionTtlMs ?? DEFAULTS.completionTtlMs,
    };
    checkWholeNumbers('TaskClient', this.settings);
  }

  get registry(): TaskRegistry {
    return this.options.registry;
  }

  /**
   * Submits one task. Given its contract, the payload is typed from the contract's schema and the
   * answer is a handle whose `result()` is typed with the contract's result; by name (the api's
   * way), both are checked at run time only.
   */
  submit<C extends TaskContract>(
    task: C,
    payload: z.input<C['payload']>,
    options?: SubmitOptions,
  ): Promise<TaskHandle<z.output<C['result']>>>;
  submit(name: string, payload: unknown, options?: SubmitOptions): Promise<SubmittedTask>;
  async submit(
    task: string | TaskContract,
    payload: unknown,
    options: SubmitOptions = {},
  ): Promise<SubmittedTask | TaskHandle<unknown>> {
    const name = typeof task === 'string' ? task : task.name;
    const job = this.prepare(name, payload, options);
    const submitter = submitterOf(options);
    if (!unrestricted(submitter)) await this.authorizeJob(job, submitter, options.userId);
    const submitted =
      job.debounce || job.singleton
        ? await this.enqueueControlled(job)
        : ((await this.enqueue([job])) as [SubmittedTask])[0];
    return typeof task === 'string' ? submitted : this.handle(submitted);
  }

  /** Submits many tasks of one contract, all or none, each answer a typed handle. */
  async submitMany<C extends TaskContract>(
    task: C,
    payloads: Array<z.input<C['payload']>>,
    options: SubmitOptions = {},
  ): Promise<Array<TaskHandle<z.output<C['result']>>>> {
    const submitted = await this.submitBulk(
      payloads.map((payload) => ({ name: task.name, payload, options })),
    );
    return submitted.map((one) => this.handle(one));
  }

  /**
   * Waits for a task to finish and resolves with its result, read from its queued job (no database
   * needed); throws TaskFailedError when it failed for good or was cancelled, TaskWaitTimeoutError
   * when `timeoutMs` passed first, TaskNotFoundError when the queue no longer holds the job (its
   * retention passed: the record still has the result).
   */
  async waitFor(task: Pick<SubmittedTask, 'taskId'>, options: WaitOptions = {}): Promise<unknown> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const maxPollMs = options.maxPollMs ?? 500;
    if (!(timeoutMs > 0) || !(maxPollMs > 0))
      throw new RangeError('timeoutMs and maxPollMs must be positive');
    const until = Date.now() + timeoutMs;
    for (let pause = 10; ; pause = Math.min(pause * 2, maxPollMs)) {
      // Read as the api reads a task with no row yet: fair admission, then the job.
      const record = await this.recordFromQueue(task.taskId);
      if (!record) throw new TaskNotFoundError(task.taskId);
      if (record.status === 'completed') return record.result;
      if (record.status === 'failed' || record.status === 'cancelled') {
        throw new TaskFailedError(record.status, record.error ?? '', {
          taskId: record.id,
          taskName: record.name,
          queue: record.queue,
          attempt: record.attempts,
        });
      }
      if (Date.now() + pause > until) {
        throw new TaskWaitTimeoutError(timeoutMs, { taskId: record.id, queue: record.queue });
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  private handle<Result>(submitted: SubmittedTask): TaskHandle<Result> {
    return { ...submitted, result: (options) => this.waitFor(submitted, options) as Promise<Result> };
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
    for (const [index, job] of jobs.entries()) {
      const options = items[index]?.options ?? {};
      if ((job.debounce || job.singleton) && jobs.length > 1) {
        throw new TaskError(
          'SUBMIT_OPTIONS_INVALID',
          'debounce and singleton tasks are submitted one at a time',
          {
            taskName: job.contract.name,
          },
        );
      }
      const submitter = submitterOf(options);
      if (!unrestricted(submitter)) await this.authorizeJob(job, submitter, options.userId);
    }
    const [only] = jobs;
    if (jobs.length === 1 && (only?.debounce || only?.singleton)) return [await this.enqueueControlled(only)];
    return this.enqueue(jobs);
  }

  /**
   * Whether `submitter` may run task `name` with this (validated) payload for user `userId`; throws
   * TaskForbiddenError when not. Admins and the system may run anything; a user runs `user` tasks
   * only, for themselves, on their own data (`ownedBy`; a row that does not exist is refused like
   * another user's). Every submit, retry and replay asks; schedules and workflows ask at creation
   * too, so a refusal comes at once rather than at their first run.
   */
  async authorize(name: string, payload: unknown, submitter: Submitter, userId?: string): Promise<void> {
    if (unrestricted(submitter)) return;
    const contract = this.options.registry.get(name);
    const refuse = (reason: string) => new TaskForbiddenError(name, submitter.userId, reason);
    if (userId !== undefined && userId !== submitter.userId) throw refuse('only admins act for another user');
    if (contract.audience === 'system') {
      throw refuse('it is a system task, run only by admin keys and the system (declared schedules)');
    }
    const owner = contract.ownedBy?.(payload);
    if (owner === undefined) return;
    if (owner === EVERY_USER) throw refuse("this payload acts on every user's data");
    const rowOwner = this.options.rowOwner;
    const ownerId =
      'userId' in owner ? owner.userId : rowOwner ? await rowOwner(owner.table, owner.id) : undefined;
    if (ownerId !== submitter.userId) throw refuse("its payload names data that is not the user's");
  }

  /**
   * Cancels a task. A waiting or delayed one is removed and recorded cancelled at once; a running
   * one's worker, wherever it is, aborts the handler's signal and records it cancelled.
   */
  async cancel(taskId: string): Promise<CancelResult> {
    const withdrawn = await this.withdrawFromAdmission(taskId);
    if (withdrawn) return withdrawn;
    const job = await this.findJob(taskId);
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') throw new TaskStateError(taskId, 'cancel', state);
    // Set first: a worker that takes the task from now on sees it and does not run it.
    await this.options.connection.set(cancelledKey(this.options.prefix, taskId), '1', 'PX', CANCEL_MARKER_MS);
    if (WAITING_STATES.has(state)) {
      try {
        await job.remove();
        await this.recordCancelled(job);
        return { taskId, status: 'cancelled', was: state };
      } catch {
        // A worker took it meanwhile (it is locked); it sees the marker or the message below.
      }
    }
    // Seen waiting, it was taken meanwhile: the run to stop is the one being started. Seen active,
    // it is the run under way (a stalled retake of it reads the marker instead).
    const run = WAITING_STATES.has(state) ? job.attemptsStarted + 1 : job.attemptsStarted;
    await this.options.connection.publish(
      cancelChannel(this.options.prefix),
      encodeCancelRequest({ taskId, run }),
    );
    return { taskId, status: 'cancelling', was: state };
  }

  /** Runs a failed (or cancelled while running) task again with a fresh set of attempts. */
  async retry(taskId: string, submitter: Submitter): Promise<SubmittedTask> {
    const job = await this.findJob(taskId);
    await this.authorize(job.name, job.data.payload, submitter, job.data.userId);
    // The record says failed just before the worker moves the job there; allow for that moment.
    let state = await job.getState();
    for (let waited = 0; state === 'active' && waited < 2_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      state = await job.getState();
    }
    if (state !== 'failed') throw new TaskStateError(taskId, 'retry', state);
    await this.options.connection.del(cancelledKey(this.options.prefix, taskId));
    const fairness = this.options.fairness;
    if (fairness?.admits(job.queueName, job.data.flow !== undefined)) {
      // Like a submit: it takes its turn among its user's tasks, within their limits.
      await fairness.enqueue(job.queueName, [
        {
          taskId,
          userId: job.data.userId,
          flow: job.data.flow,
          name: job.name,
          data: job.data,
          opts: { ...job.opts, priority: job.opts.priority ?? 0 },
          retry: { attemptsStarted: job.attemptsStarted },
        },
      ]);
    } else {
      await job.retry('failed', { resetAttemptsMade: true });
    }
    // Pending for the next run: above the failed or cancelled step, below the next start.
    await this.options.events?.append(
      { ...eventOf(job), type: 'submitted' },
      {
        record: {
          ...this.recordOf(job, 'pending'),
          version: recordVersion('pending', job.attemptsStarted + 1),
        },
      },
    );
    return { taskId, name: job.name, queue: job.queueName };
  }

  /**
   * Runs a parked task (its handler threw `TaskParkedError`) now instead of at its deadline. Of
   * several wakes of one park only the first does it; the others, and a wake of a task that is not
   * parked, throw TaskNotParkedError.
   */
  async wake(taskId: string): Promise<void> {
    const job = await this.findJob(taskId);
    const marker = parkedKey(this.options.prefix, taskId);
    // The worker sets the marker just before it delays the job: allow for that moment.
    let state = await job.getState();
    for (let waited = 0; state === 'active' && waited < 2_000; waited += 50) {
      if ((await this.options.connection.exists(marker)) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
      state = await job.getState();
    }
    if (state !== 'delayed') throw new TaskNotParkedError(taskId, state);
    if ((await this.options.connection.del(marker)) === 0) throw new TaskNotParkedError(taskId, 'delayed');
    await job.promote();
  }

  /**
   * Whether a task of `queue` has not finished: waiting for fair admission, queued, delayed or
   * running. False once it completed, failed or is gone from Redis.
   */
  async isUnfinished(queue: string, taskId: string): Promise<boolean> {
    if (await this.options.fairness?.holds(queue, taskId)) return true;
    const job = await this.queue(queue).getJob(taskId);
    if (!job) return false;
    const state = await job.getState();
    return state !== 'completed' && state !== 'failed' && state !== 'unknown';
  }

  /**
   * A task's record as Redis holds it, for the moments before its row reaches the database (read
   * your writes on any api replica): built from its queued job, or from the fair admission layer.
   * Undefined when Redis has no such task.
   */
  async recordFromQueue(taskId: string): Promise<TaskRecord | undefined> {
    const fairness = this.options.fairness;
    for (const queue of fairness ? fairness.queues : []) {
      const held = await fairness?.held(queue, taskId);
      if (!held) continue;
      return { ...EMPTY_RECORD, ...admissionRecord(taskId, queue, held), status: 'pending' };
    }
    let job = await this.jobIfAny(taskId);
    if (!job) return undefined;
    const state = await job.getState();
    if (state === 'unknown') return undefined;
    // The job was read before its state: one that finished in between is read again, so its
    // result or error is there whenever the state says it finished.
    if (state === 'completed' || state === 'failed') {
      job = ((await this.queue(job.queueName).getJob(taskId)) as TaskJob | undefined) ?? job;
    }
    const started = job.processedOn ? new Date(job.processedOn) : null;
    const finished = job.finishedOn ? new Date(job.finishedOn) : null;
    // A cancelled running task fails its job; the marker its cancel left says which it was.
    const cancelled =
      state === 'failed' &&
      (await this.options.connection.exists(cancelledKey(this.options.prefix, taskId))) === 1;
    // Reported progress is an object; a job that never reported holds BullMQ's 0.
    const reported = typeof job.progress === 'object' && job.progress !== null;
    const progress = reported ? (job.progress as TaskJobProgress) : undefined;
    const status = cancelled ? 'cancelled' : statusOf(state, job.attemptsStarted);
    return {
      ...EMPTY_RECORD,
      ...jobRecord(taskId, job.queueName, job),
      status,
      // Ordered as stored records are, so a reader can tell which of the two is further along.
      version: recordVersion(status, job.attemptsStarted),
      payload: job.data.payload,
      attempts: job.attemptsStarted,
      // Stripped of U+0000 as the stored record is (handlers' output may hold it).
      result: state === 'completed' ? stripNul(job.returnvalue) : null,
      error: state === 'failed' ? stripNul(job.failedReason) : null,
      stackTrace: state === 'failed' ? stripNul(job.stacktrace?.at(-1) ?? null) : null,
      startedAt: started,
      completedAt: finished,
      durationMs: started && finished ? finished.getTime() - started.getTime() : null,
      waitMs: started ? Math.max(0, started.getTime() - job.timestamp) : null,
      progress: progress?.percent ?? null,
      progressMessage: progress?.message ?? null,
    };
  }

  /** The fair admission layer, when this client has one (its metrics and per-user limits). */
  get fairness(): FairScheduler | undefined {
    return this.options.fairness;
  }

  private async jobIfAny(taskId: string): Promise<TaskJob | undefined> {
    try {
      return await this.findJob(taskId);
    } catch (error) {
      if (error instanceof TaskNotFoundError) return undefined;
      throw error;
    }
  }

  /** The queued job of a task, in whichever queue holds it. */
  async findJob(taskId: string): Promise<TaskJob> {
    for (const queue of this.options.registry.queues()) {
      const job = (await this.queue(queue).getJob(taskId)) as TaskJob | undefined;
      if (job) return job;
    }
    throw new TaskNotFoundError(taskId);
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

  private async enqueue(jobs: PreparedJob[]): Promise<SubmittedTask[]> {
    const existing = await this.idempotency.claim(jobs.map(claimOf));
    const fresh = jobs.filter((_, index) => existing[index] === undefined);
    const claims = fresh.map(claimOf).filter((claim) => claim !== undefined);
    try {
      await this.add(fresh);
    } catch (error) {
      await this.idempotency.release(claims);
      throw error;
    }
    await this.idempotency.confirm(claims);
    return jobs.map((job, index) => {
      const earlier = existing[index];
      const submitted = { taskId: earlier ?? job.taskId, name: job.contract.name, queue: job.contract.queue };
      return earlier === undefined ? submitted : { ...submitted, deduplicated: true };
    });
  }

  /**
   * Adds every job with the `submitted` entry carrying its pending record, all or none: in one
   * script call (`JobsWithEntries`) when every job goes straight to BullMQ, else (a completion
   * plan, or a job waiting for fair admission) in one `MULTI`, so an api that dies midway leaves
   * all of them in Redis or none.
   * The record reaches PostgreSQL through a `RecordProjector`, so the answer never waits on the
   * database.
   */
  private async add(jobs: PreparedJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const byQueue = new Map<string, PreparedJob[]>();
    for (const job of jobs) {
      const batch = byQueue.get(job.contract.queue);
      if (batch) batch.push(job);
      else byQueue.set(job.contract.queue, [job]);
    }
    const queues = [...byQueue.keys()].map((name) => this.queue(name));
    await Promise.all(queues.map((queue) => queue.waitUntilReady()));
    const fairness = this.options.fairness;
    const direct = jobs.every(
      (job) => !job.completion && !fairness?.admits(job.contract.queue, job.data.flow !== undefined),
    );
    if (direct && this.withEntries) {
      await this.withEntries.add(
        jobs.map((job) => this.jobOf(job)),
        jobs.map(submittedEntry),
      );
      return;
    }
    // Every queue shares this client's connection, so one transaction holds them all.
    const client = (await queues[0]!.backend.client) as unknown as JobClient & RedisConnection;
    const [only] = jobs;
    // Without events there is nothing to append: a lone job is BullMQ's add script alone.
    if (direct && only && jobs.length === 1) {
      await this.jobOf(only).addJob(client);
      return;
    }
    const transaction = client.multi() as unknown as ChainableCommander;
    const queued: Array<Promise<unknown>> = [];
    for (const [name, batch] of byQueue) {
      const waits = fairness ? batch.filter((job) => fairness.admits(name, job.data.flow !== undefined)) : [];
      if (waits.length > 0) {
        fairness?.enqueueIn(
          transaction,
          name,
          waits.map((job) => ({
            taskId: job.taskId,
            userId: job.data.userId,
            flow: job.data.flow,
            name: job.contract.name,
            data: job.data,
            opts: job.opts,
          })),
        );
      }
      for (const job of waits.length === 0 ? batch : batch.filter((one) => !waits.includes(one))) {
        // Queued on the transaction at once; it settles with the transaction object, not the reply.
        queued.push(this.jobOf(job).addJob(transaction as unknown as JobClient));
      }
    }
    await Promise.all(queued);
    for (const job of jobs) {
      if (!job.completion) continue;
      transaction.set(
        completionKey(this.options.prefix, job.taskId),
        JSON.stringify(job.completion),
        'PX',
        this.settings.completionTtlMs,
      );
    }
    // One append for the whole batch: cheaper than each job's add script appending its own.
    this.options.events?.appendTo(transaction, jobs.map(submittedEntry));
    const replies = await transaction.exec();
    if (!replies) throw new TaskError('SUBMIT_FAILED', 'the submit transaction was discarded by Redis', {});
    const failed = replies.find(([error]) => error !== null);
    if (failed) throw failed[0];
  }

  /** The BullMQ job of a prepared submit. */
  private jobOf(job: PreparedJob): TaskJob {
    return new Job(this.queue(job.contract.queue), job.contract.name, job.data, job.opts, job.taskId);
  }

  /** A task still waiting for fair admission is not in BullMQ yet: cancelling takes it out there. */
  private async withdrawFromAdmission(taskId: string): Promise<CancelResult | undefined> {
    const fairness = this.options.fairness;
    if (!fairness) return undefined;
    for (const queue of this.options.registry.queues().filter((name) => fairness.isFair(name))) {
      const withdrawn = await fairness.remove(queue, taskId);
      if (!withdrawn) continue;
      const data = withdrawn.data as TaskJobData;
      // A withdrawn retry ends above its pending record (written when it was retried).
      const attempt = withdrawn.retry ? withdrawn.retry.attemptsStarted + 1 : 0;
      const event = {
        taskId,
        taskName: withdrawn.name,
        queue,
        userId: data.userId,
        workflowId: data.workflow?.workflowId,
      };
      await this.options.events?.append(
        { ...event, type: 'cancelled' },
        {
          record: {
            ...admissionRecord(taskId, queue, withdrawn),
            status: 'cancelled',
            completedAt: new Date(),
            version: recordVersion('cancelled', attempt),
          },
        },
      );
      return { taskId, status: 'cancelled', was: 'waiting' };
    }
    return undefined;
  }

  private prepare(name: string, payload: unknown, options: SubmitOptions): PreparedJob {
    const contract = this.options.registry.get(name);
    const parsed = validatePayload(contract, payload);
    const bytes = Buffer.byteLength(JSON.stringify(parsed) ?? '');
    if (bytes > this.settings.maxPayloadBytes) {
      throw new PayloadTooLargeError(name, bytes, this.settings.maxPayloadBytes);
    }
    const priority = options.priority ?? contract.priority;
    if (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY) {
      throw new TaskError('PRIORITY_INVALID', `priority must be a whole number from 0 to ${MAX_PRIORITY}`, {
        taskName: name,
      });
    }
    for (const field of ['userId', 'taskId', 'replayOf'] as const) {
      if (findNul(options[field]) !== undefined) {
        throw new TaskError('SUBMIT_OPTIONS_INVALID', `${field} ${NUL_MESSAGE}`, { taskName: name });
      }
    }
    const delayMs = this.delayOf(name, options);
    const idempotency = this.idempotencyOf(name, options);
    const taskId = options.taskId ?? randomUUID();
    const debounce = this.debounceOf(contract, parsed, options);
    const singleton = this.singletonOf(contract, parsed, options);
    if (debounce && (singleton || idempotency || options.taskId !== undefined || delayMs > 0)) {
      throw new TaskError(
        'SUBMIT_OPTIONS_INVALID',
        'debounce decides the task id and start itself: it takes no singleton, idempotencyKey, taskId or delay',
        { taskName: name },
      );
    }
    const completion = this.completionOf(name, options, singleton?.key);
    const flow = this.flowOf(contract, parsed, options);
    return {
      contract,
      taskId,
      payload: parsed,
      idempotency,
      debounce,
      singleton,
      completion,
      data: {
        payload: parsed,
        userId: options.userId,
        replayOf: options.replayOf,
        workflow: options.workflow,
        flow,
        traceparent: activeTraceparent(),
      },
      opts: {
        jobId: taskId,
        // The record's createdAt and the job's timestamp are one instant, so a worker that picks
        // the job up before the pending record is written never starts "before" it was created.
        timestamp: Date.now(),
        // Left out at BullMQ's default (0): each option is packed by the client and unpacked and
        // stored by Redis, for every job.
        priority: priority === 0 ? undefined : priority,
        delay: delayMs > 0 ? delayMs : undefined,
        attempts: contract.retry.attempts,
        backoff: JOB_OPTIONS.backoff,
        removeOnComplete: JOB_OPTIONS.removeOnComplete,
        removeOnFail: JOB_OPTIONS.removeOnFail,
      },
    };
  }

  private debounceOf(
    contract: TaskContract,
    payload: unknown,
    options: SubmitOptions,
  ): PreparedJob['debounce'] {
    const debounce = options.debounce ?? (contract.debounce as DebounceOptions | undefined);
    if (!debounce) return undefined;
    checkDebounce(debounce, contract.name);
    const key = flowKeyValue('debounce', debounce.key, payload, contract.name);
    return { stateKey: this.flow.debounceKey(contract.name, options.userId, key), options: debounce };
  }

  private flowOf(contract: TaskContract, payload: unknown, options: SubmitOptions): FlowGroup | undefined {
    if (options.flow && !this.options.fairness?.isFair(contract.queue)) {
      throw new TaskError(
        'SUBMIT_OPTIONS_INVALID',
        `flow needs a queue that goes through admission: "${contract.queue}" is not in FAIRNESS and none of its tasks declares flow`,
        { taskName: contract.name },
      );
    }
    const flow = options.flow ?? (contract.flow as FlowOptions | undefined);
    return flow ? flowGroupOf(flow, payload, contract.name) : undefined;
  }

  private singletonOf(
    contract: TaskContract,
    payload: unknown,
    options: SubmitOptions,
  ): PreparedJob['singleton'] {
    const singleton = options.singleton ?? (contract.singleton as SingletonOptions | undefined);
    if (!singleton) return undefined;
    const mode = singleton.mode ?? 'return';
    if (mode !== 'return' && mode !== 'replace') {
      throw new TaskError('SUBMIT_OPTIONS_INVALID', 'singleton.mode must be "return" or "replace"', {
        taskName: contract.name,
      });
    }
    const key = flowKeyValue('singleton', singleton.key, payload, contract.name);
    return { key: this.flow.singletonKey(contract.name, options.userId, key), mode };
  }

  /** The plan the completion dispatcher carries out when the task ends; every linked task validated now. */
  private completionOf(
    name: string,
    options: SubmitOptions,
    singletonKey: string | undefined,
  ): CompletionPlan | undefined {
    const links = (list: LinkedTask[] | undefined, field: string) =>
      list?.map((linked, index) => {
        if (typeof linked?.name !== 'string') {
          throw new TaskError('SUBMIT_OPTIONS_INVALID', `${field}[${index}] names no task`, {
            taskName: name,
          });
        }
        const prepared = this.prepare(linked.name, linked.payload, {
          priority: linked.priority,
          delayMs: linked.delayMs,
          userId: options.userId,
        } as SubmitOptions);
        if (prepared.debounce || prepared.singleton) {
          throw new TaskError(
            'SUBMIT_OPTIONS_INVALID',
            `${field}[${index}] is a debounce or singleton task`,
            {
              taskName: name,
            },
          );
        }
        return {
          name: linked.name,
          payload: prepared.payload,
          priority: linked.priority,
          delayMs: linked.delayMs,
        };
      });
    const link = links(options.link, 'link');
    const linkError = links(options.linkError, 'linkError');
    const webhook =
      options.webhook === undefined
        ? undefined
        : checkWebhookUrl(options.webhook, this.options.webhooks, name);
    if (!link?.length && !linkError?.length && !webhook && !singletonKey) return undefined;
    return { userId: options.userId, link, linkError, webhook, singletonKey };
  }

  /**
   * Authorizes a prepared job and its linked tasks, which run for the same user: whoever submits
   * the task must be allowed to submit them too. Callers skip it (and its await) for the system
   * and admins, whom nothing is refused: most submits.
   */
  private async authorizeJob(
    job: PreparedJob,
    submitter: Submitter,
    userId: string | undefined,
  ): Promise<void> {
    await this.authorize(job.contract.name, job.payload, submitter, userId);
    for (const linked of [...(job.completion?.link ?? []), ...(job.completion?.linkError ?? [])]) {
      await this.authorize(linked.name, linked.payload, submitter, userId);
    }
  }

  /**
   * A debounce or singleton submit: Redis decides, in one script, whether it joins a task that is
   * already there or queues its own.
   */
  private async enqueueControlled(job: PreparedJob): Promise<SubmittedTask> {
    const { contract } = job;
    if (this.options.fairness?.admits(contract.queue, job.data.flow !== undefined)) {
      throw new TaskError(
        'SUBMIT_OPTIONS_INVALID',
        'debounce and singleton are not available on fair queues or with a flow key',
        {
          taskName: contract.name,
        },
      );
    }
    const answer = (taskId: string, deduplicated: boolean): SubmittedTask => ({
      taskId,
      name: contract.name,
      queue: contract.queue,
      ...(deduplicated ? { deduplicated: true } : {}),
    });
    if (job.debounce) {
      const outcome = await this.flow.debounce(
        contract.queue,
        job.debounce.stateKey,
        job.taskId,
        job.data,
        job.debounce.options,
      );
      if (outcome.kind === 'collapsed') {
        // The latest submit's callbacks go with the latest payload.
        if (job.completion) {
          await this.options.connection.set(
            completionKey(this.options.prefix, outcome.taskId),
            JSON.stringify(job.completion),
            'PX',
            this.settings.completionTtlMs,
          );
        }
        return answer(outcome.taskId, true);
      }
      await this.add([{ ...job, opts: { ...job.opts, delay: outcome.delayMs } }]);
      return answer(job.taskId, false);
    }
    const singleton = job.singleton as NonNullable<PreparedJob['singleton']>;
    // A replace that loses the key to a concurrent replace looks again: the winner holds it now.
    for (let tries = 0; ; tries += 1) {
      const holder = await this.flow.claimSingleton(contract.queue, singleton.key, job.taskId);
      if (holder === undefined) break;
      if (singleton.mode === 'return' || tries >= 3) return answer(holder, true);
      const replaced = await this.replaceWaiting(singleton.key, holder, job.taskId);
      if (replaced === 'replaced') break;
      if (replaced === 'kept') return answer(holder, true);
    }
    try {
      await this.add([job]);
    } catch (error) {
      await this.flow.releaseSingleton(singleton.key, job.taskId);
      throw error;
    }
    return answer(job.taskId, false);
  }

  /**
   * Hands `holder`'s singleton key to `taskId` and cancels `holder`, if it is still waiting. The key
   * moves first, so of two concurrent replaces only one removes the holder (the other: `lost`).
   */
  private async replaceWaiting(
    key: string,
    holder: string,
    taskId: string,
  ): Promise<'replaced' | 'kept' | 'lost'> {
    const job = await this.jobIfAny(holder);
    // None yet: its submitter is still adding it; it counts as waiting but cannot be removed yet.
    if (!job || !WAITING_STATES.has(await job.getState())) return 'kept';
    if (!(await this.flow.replaceSingleton(key, holder, taskId))) return 'lost';
    try {
      // Refused while a worker holds the job's lock: it started, so it stays the singleton.
      await job.remove();
    } catch {
      await this.flow.replaceSingleton(key, taskId, holder);
      return 'kept';
    }
    await this.recordCancelled(job);
    return 'replaced';
  }

  private delayOf(name: string, options: SubmitOptions): number {
    if (options.runAt !== undefined) {
      if (options.delayMs !== undefined) {
        throw new TaskError('DELAY_INVALID', 'give runAt or delayMs, not both', { taskName: name });
      }
      if (!(options.runAt instanceof Date) || Number.isNaN(options.runAt.getTime())) {
        throw new TaskError('DELAY_INVALID', 'runAt must be a valid date', { taskName: name });
      }
      return Math.max(0, options.runAt.getTime() - Date.now());
    }
    const delayMs = options.delayMs ?? 0;
    if (!Number.isFinite(delayMs) || delayMs < 0) {
      throw new TaskError('DELAY_INVALID', 'delayMs must be a non-negative number', { taskName: name });
    }
    return delayMs;
  }

  private idempotencyOf(name: string, options: SubmitOptions): PreparedJob['idempotency'] {
    if (options.idempotencyKey === undefined) return undefined;
    if (!IDEMPOTENCY_KEY.test(options.idempotencyKey)) {
      throw new TaskError(
        'IDEMPOTENCY_KEY_INVALID',
        'idempotencyKey must be 1 to 200 printable ASCII characters without spaces',
        { taskName: name },
      );
    }
    const windowMs = options.idempotencyWindowMs ?? this.settings.idempotencyWindowMs;
    if (!Number.isInteger(windowMs) || windowMs <= 0) {
      throw new TaskError('IDEMPOTENCY_KEY_INVALID', 'idempotencyWindowMs must be a positive whole number', {
        taskName: name,
      });
    }
    return { key: `${this.options.prefix}:idempotency:${name}:${options.idempotencyKey}`, windowMs };
  }

  private recordOf(job: TaskJob, status: TaskStatus): NewTaskRecord {
    return {
      ...jobRecord(job.id as string, job.queueName, job),
      status,
      payload: job.data.payload,
      attempts: job.attemptsStarted,
      version: recordVersion(status, job.attemptsStarted),
    };
  }

  private async recordCancelled(job: TaskJob): Promise<void> {
    await this.options.events?.append(
      { ...eventOf(job), type: 'cancelled' },
      { record: { ...this.recordOf(job, 'cancelled'), completedAt: new Date() } },
    );
  }
}

/** The fields of a record that Redis does not hold, as a fresh row has them. */
const EMPTY_RECORD = {
  result: null,
  error: null,
  stackTrace: null,
  startedAt: null,
  completedAt: null,
  durationMs: null,
  waitMs: null,
  traceId: null,
  progress: null,
  progressMessage: null,
  replayOf: null,
  version: 0,
  updatedAt: new Date(0),
} satisfies Partial<TaskRecord>;

/** A record's status for a BullMQ job state; a job delayed after an attempt waits to retry. */
function statusOf(state: string, attemptsStarted: number): TaskStatus {
  if (state === 'active') return 'running';
  if (state === 'completed' || state === 'failed') return state;
  return state === 'delayed' && attemptsStarted > 0 ? 'retrying' : 'pending';
}

function eventOf(job: TaskJob) {
  return {
    taskId: job.id as string,
    taskName: job.name,
    queue: job.queueName,
    userId: job.data.userId,
    workflowId: job.data.workflow?.workflowId,
  };
}

function pendingRecord(job: PreparedJob): NewTaskRecord {
  const record = jobRecord(job.taskId, job.contract.queue, {
    name: job.contract.name,
    data: job.data,
    opts: job.opts,
    timestamp: job.opts.timestamp ?? Date.now(),
  });
  // Added to the row rather than spread with it into a new one: V8 builds such a copy slowly, and
  // JSON.stringify of it (every submit's entry) took three times as long.
  return Object.assign(record, {
    status: 'pending' as const,
    payload: job.payload,
    attempts: 0,
    version: recordVersion('pending', 0),
  });
}

/** The `submitted` entry of a job, carrying its pending record. */
function submittedEntry(job: PreparedJob) {
  return {
    event: {
      type: 'submitted' as const,
      taskId: job.taskId,
      taskName: job.contract.name,
      queue: job.contract.queue,
      userId: job.data.userId,
      workflowId: job.data.workflow?.workflowId,
    },
    step: { record: pendingRecord(job) },
  };
}

/** The record fields of a task waiting for fair admission, as its admission entry holds them. */
function admissionRecord(taskId: string, queue: string, admitted: AdmittedJob) {
  const data = admitted.data as TaskJobData;
  return {
    ...jobRecord(taskId, queue, {
      name: admitted.name,
      data,
      opts: admitted.opts,
      timestamp: admitted.opts.timestamp ?? Date.now(),
    }),
    payload: data.payload,
    attempts: admitted.retry?.attemptsStarted ?? 0,
  };
}
