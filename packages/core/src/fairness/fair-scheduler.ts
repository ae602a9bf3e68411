import {
  type FairnessSettings,
  type QueueFairness,
  type UserLimits,
  userLimitsSchema,
} from '@foreman/config';
import type { JobsOptions } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import type { FlowGroup } from '../client/flow-control.js';
import { FairnessLimitsError } from '../errors/fairness-limits-error.js';
import { QueueNotFairError } from '../errors/queue-not-fair-error.js';
import type { RedisConnection } from '../redis/create-redis.js';
import type { TaskRegistry } from '../task/task-registry.js';
import { checkWholeNumbers } from '../util/check-options.js';
// Every export of the module is one admission script.
import * as SCRIPTS from './fair-scripts.js';

/** Tasks submitted without a user share this key. */
export const ANONYMOUS_USER = 'anonymous';

/** A task's BullMQ job, held back until its user may run it. */
export interface FairJob {
  taskId: string;
  userId?: string | undefined;
  name: string;
  data: unknown;
  opts: JobsOptions;
  /** A keyed task's group and limits: it is admitted only while its key is under them too. */
  flow?: FlowGroup | undefined;
  /**
   * A retry of a task that failed: its job is still in BullMQ (failed); once admitted, that job is
   * retried instead of a new one added. `attemptsStarted` is the attempts it had so far.
   */
  retry?: { attemptsStarted: number } | undefined;
}

export interface AdmittedJob {
  taskId: string;
  userId: string;
  name: string;
  data: unknown;
  opts: JobsOptions;
  retry?: { attemptsStarted: number } | undefined;
}

export interface UserQueueMetrics {
  userId: string;
  /** Tasks waiting for admission (not yet in BullMQ). */
  waiting: number;
  /** Tasks admitted and not finished: running, or next in BullMQ's small ready window. */
  running: number;
  /** Age of the user's oldest waiting task; null when nothing waits. */
  oldestWaitingMs: number | null;
}

export interface QueueFairnessMetrics {
  queue: string;
  /** Tasks submitted with a delay that is not over yet. */
  delayed: number;
  users: UserQueueMetrics[];
}

/** One flow key (`<scope>:<value>`) with work: tasks waiting for admission, and admitted. */
export interface FlowKeyLoad {
  key: string;
  waiting: number;
  running: number;
}

/** A group paused by a push-back (or by hand) and when its pause ends (epoch ms, Redis's clock). */
export interface PausedGroup {
  group: string;
  resumeAt: number;
}

/** A bounded view of a queue's flow keys: counts of all, rows of the busiest few. */
export interface QueueFlowKeys {
  /** Keys with tasks waiting for admission. */
  keysWaiting: number;
  /** Keys with tasks admitted and not finished. */
  keysRunning: number;
  /** Groups paused now: flow keys, or a user paused by hand. */
  pausedGroups: number;
  /** The `limit` keys with the most waiting tasks and the `limit` with the most running, each once. */
  keys: FlowKeyLoad[];
  /** The `limit` paused groups that resume first. */
  paused: PausedGroup[];
}

export interface FairSchedulerOptions {
  connection: RedisConnection;
  /** Redis key prefix of the queues (QUEUE_PREFIX). */
  prefix: string;
  settings: FairnessSettings;
  /**
   * Its queues whose tasks declare a flow key go through admission too (with the default ready
   * window when `settings` does not name them).
   */
  registry?: TaskRegistry | undefined;
  /**
   * A taken job not confirmed in BullMQ after this long is added again (its dispatcher died).
   * @defaultValue {@link FAIR_SCHEDULER_DEFAULTS}.recoverAfterMs
   */
  recoverAfterMs?: number;
  /**
   * Slots older than this whose job finished or vanished unreleased are freed by `sweep`; 0 frees
   * every such slot it finds.
   * @defaultValue {@link FAIR_SCHEDULER_DEFAULTS}.sweepGraceMs
   */
  sweepGraceMs?: number;
}

/** The defaults of `FairSchedulerOptions`, in one place. */
export const FAIR_SCHEDULER_DEFAULTS = { recoverAfterMs: 30_000, sweepGraceMs: 5_000 } as const;

type Runner = (...args: Array<string | number>) => Promise<unknown>;
/** The settings of a queue admitted only for its flow keys: no per-user limits. */
const KEYED_ONLY: QueueFairness = { readyWindow: 10 };
const ENQUEUE_CHUNK = 500;
/** How many of a user's first tasks a task whose key is at its limit lets go ahead of it. */
const KEY_SCAN = 10;

/**
 * The fair admission layer of queues with fairness settings or flow-keyed tasks: submits park a
 * task in a waiting list (its user's, or on a queue not in FAIRNESS its flow key's); `dispatch`
 * admits tasks to BullMQ round-robin across lists, within the limits of the task's user and of its
 * key (concurrency, rate, pause). All state is in Redis and every step is one atomic script, so
 * api replicas and any number of worker processes share it safely.
 */
export class FairScheduler {
  private readonly scripts: Record<keyof typeof SCRIPTS, Runner>;
  private readonly recoverAfterMs: number;
  private readonly sweepGraceMs: number;

  constructor(private readonly options: FairSchedulerOptions) {
    this.recoverAfterMs = options.recoverAfterMs ?? FAIR_SCHEDULER_DEFAULTS.recoverAfterMs;
    this.sweepGraceMs = options.sweepGraceMs ?? FAIR_SCHEDULER_DEFAULTS.sweepGraceMs;
    checkWholeNumbers('FairScheduler', { recoverAfterMs: this.recoverAfterMs });
    checkWholeNumbers('FairScheduler', { sweepGraceMs: this.sweepGraceMs }, 0);
    const commands = options.connection as unknown as Record<string, Runner>;
    this.scripts = Object.fromEntries(
      Object.entries(SCRIPTS).map(([name, lua]) => {
        const command = `foremanFair${name}`;
        if (typeof commands[command] !== 'function') {
          options.connection.defineCommand(command, { numberOfKeys: name === 'DISPATCH' ? 3 : 1, lua });
        }
        return [
          name,
          (...args: Array<string | number>) => commands[command]!.apply(options.connection, args),
        ];
      }),
    ) as Record<keyof typeof SCRIPTS, Runner>;
  }

  /** Queues that go through admission: with fairness settings, or with flow-keyed tasks. */
  get queues(): string[] {
    const keyed = this.options.registry?.keyedQueues() ?? [];
    return [...new Set([...Object.keys(this.options.settings), ...keyed])];
  }

  /** Whether the queue goes through admission (fairness settings, or a task with a flow key). */
  isFair(queue: string): boolean {
    return this.admits(queue, true);
  }

  /**
   * Whether a task waits for admission: every task of a `FAIRNESS` queue, and a keyed task of a
   * queue with flow-keyed tasks (its unkeyed tasks go straight to BullMQ, as before).
   */
  admits(queue: string, keyed: boolean): boolean {
    return (
      Object.hasOwn(this.options.settings, queue) ||
      (keyed && this.options.registry?.hasFlowKeys(queue) === true)
    );
  }

  /** The queue's settings: per-user defaults and ready window. */
  policy(queue: string): QueueFairness {
    const policy = this.options.settings[queue];
    if (policy) return policy;
    if (this.options.registry?.hasFlowKeys(queue)) return KEYED_ONLY;
    throw new QueueNotFairError(queue);
  }

  /** Parks jobs in their users' waiting lists; a task id already waiting is left as it is. */
  async enqueue(queue: string, jobs: FairJob[]): Promise<number> {
    let added = 0;
    for (const args of this.enqueueArgs(queue, jobs)) added += Number(await this.scripts.ENQUEUE(...args));
    return added;
  }

  /**
   * Queues the same admission as `enqueue` on a transaction of this scheduler's connection that
   * the caller executes, so the jobs are parked together with the rest of it or not at all.
   */
  enqueueIn(transaction: ChainableCommander, queue: string, jobs: FairJob[]): void {
    const command = (transaction as unknown as Record<string, Runner>).foremanFairENQUEUE;
    if (typeof command !== 'function') {
      throw new TypeError('FairScheduler.enqueueIn: the transaction is not on the scheduler connection');
    }
    for (const args of this.enqueueArgs(queue, jobs)) command.apply(transaction, args);
  }

  private enqueueArgs(queue: string, jobs: FairJob[]): Array<Array<string | number>> {
    this.policy(queue);
    const fair = Object.hasOwn(this.options.settings, queue);
    const chunks: Array<Array<string | number>> = [];
    for (let start = 0; start < jobs.length; start += ENQUEUE_CHUNK) {
      const args = jobs.slice(start, start + ENQUEUE_CHUNK).flatMap((job) => {
        const { delay, ...opts } = job.opts;
        const { group, ...limits } = job.flow ?? {};
        const user = job.userId ?? ANONYMOUS_USER;
        return [
          job.taskId,
          // On a FAIRNESS queue a keyed task keeps its turn among its user's; elsewhere its key is its list.
          fair ? user : (group ?? user),
          opts.priority ?? 0,
          delay ?? 0,
          group ?? '',
          JSON.stringify(limits),
          JSON.stringify({ name: job.name, data: job.data, opts, retry: job.retry }),
        ];
      });
      chunks.push([this.key(queue), ...args]);
    }
    return chunks;
  }

  /**
   * Takes the next jobs to add to BullMQ: round-robin across users, within their limits, until
   * the ready window is full. The caller adds them and then calls `acknowledge`. `retryInMs` says
   * when a rate-limited user gets its next token.
   */
  async dispatch(queue: string): Promise<{ jobs: AdmittedJob[]; retryInMs: number | undefined }> {
    const policy = this.policy(queue);
    const bull = `${this.options.prefix}:${queue}`;
    const reply = (await this.scripts.DISPATCH(
      this.key(queue),
      `${bull}:wait`,
      `${bull}:prioritized`,
      policy.readyWindow,
      policy.concurrency ?? 0,
      policy.rate?.count ?? 0,
      policy.rate?.intervalMs ?? 1,
      policy.rate?.burst ?? 1,
      this.recoverAfterMs,
      KEY_SCAN,
    )) as Array<string | number>;
    const jobs: AdmittedJob[] = [];
    for (let index = 1; index < reply.length; index += 4) {
      const [taskId, userId, due, body] = reply.slice(index, index + 4).map(String) as [
        string,
        string,
        string,
        string,
      ];
      jobs.push(this.toJob(taskId, userId, due, body));
    }
    const retryInMs = Number(reply[0]);
    return { jobs, retryInMs: retryInMs >= 0 ? retryInMs : undefined };
  }

  /** Confirms that dispatched jobs are in BullMQ. */
  async acknowledge(queue: string, taskIds: string[]): Promise<void> {
    if (taskIds.length > 0) await this.scripts.ACKNOWLEDGE(this.key(queue), ...taskIds);
  }

  /**
   * Stops a group (a flow key's `<scope>:<value>`, or a user) from admitting anything for `ms`,
   * on every replica (Redis's clock); a longer pause already set is kept. Returns the pause left.
   */
  async pause(queue: string, group: string, ms: number): Promise<number> {
    this.policy(queue);
    return Number(await this.scripts.PAUSE(this.key(queue), group, Math.max(1, Math.ceil(ms))));
  }

  /**
   * Frees the slots a finished task held: its user's, and its key's (`flowGroup`) for a keyed task;
   * true if it still held one.
   */
  async release(
    queue: string,
    userId: string | undefined,
    taskId: string,
    flowGroup?: string | undefined,
  ): Promise<boolean> {
    const groups = [userId ?? ANONYMOUS_USER, ...(flowGroup === undefined ? [] : [flowGroup])];
    return Number(await this.scripts.RELEASE(this.key(queue), taskId, ...groups)) > 0;
  }

  /** Frees slots of tasks that finished or vanished without a release; returns how many. */
  async sweep(queue: string): Promise<number> {
    return Number(
      await this.scripts.SWEEP(this.key(queue), `${this.options.prefix}:${queue}:`, this.sweepGraceMs),
    );
  }

  /**
   * Ids of up to `limit` tasks waiting for admission (delayed ones first), in one script call: what
   * a queue's purge cancels beside the jobs BullMQ holds.
   */
  async waitingTaskIds(queue: string, limit: number): Promise<string[]> {
    return (await this.scripts.WAITING(this.key(queue), Math.max(1, Math.floor(limit)))) as string[];
  }

  /** Withdraws a task still waiting for admission; undefined once it is in BullMQ (or unknown). */
  async remove(queue: string, taskId: string): Promise<AdmittedJob | undefined> {
    const reply = (await this.scripts.REMOVE(this.key(queue), taskId)) as string[] | null;
    return reply ? this.toJob(taskId, reply[0]!, reply[1]!, reply[2]!) : undefined;
  }

  /** Whether a task waits for admission here (or was taken and is not yet confirmed in BullMQ). */
  async holds(queue: string, taskId: string): Promise<boolean> {
    if (!this.isFair(queue)) return false;
    return (await this.options.connection.exists(`${this.key(queue)}:job:${taskId}`)) === 1;
  }

  /** The job of a task waiting for admission here (or taken and not yet confirmed in BullMQ). */
  async held(queue: string, taskId: string): Promise<AdmittedJob | undefined> {
    if (!this.isFair(queue)) return undefined;
    const [userId, due, body] = await this.options.connection.hmget(
      `${this.key(queue)}:job:${taskId}`,
      'user',
      'due',
      'body',
    );
    return userId && due && body ? this.toJob(taskId, userId, due, body) : undefined;
  }

  async metrics(queue: string): Promise<QueueFairnessMetrics> {
    this.policy(queue);
    const reply = (await this.scripts.METRICS(this.key(queue))) as Array<string | number>;
    const now = Number(reply[1]);
    const users: UserQueueMetrics[] = [];
    for (let index = 2; index < reply.length; index += 4) {
      const oldest = Number(reply[index + 3]);
      users.push({
        userId: String(reply[index]),
        waiting: Number(reply[index + 1]),
        running: Number(reply[index + 2]),
        oldestWaitingMs: oldest >= 0 ? Math.max(0, now - oldest) : null,
      });
    }
    users.sort((a, b) => b.waiting - a.waiting || a.userId.localeCompare(b.userId));
    return { queue, delayed: Number(reply[0]), users };
  }

  /**
   * The queue's flow keys with work and its paused groups, bounded by `limit` rows each whatever
   * the number of keys (one script; the indexes it reads are kept by every admission step).
   */
  async flowKeys(queue: string, limit: number): Promise<QueueFlowKeys> {
    this.policy(queue);
    const reply = (await this.scripts.FLOW_KEYS(this.key(queue), limit)) as Array<string | number>;
    const rows = Number(reply[4]);
    const keys: FlowKeyLoad[] = [];
    for (let index = 5; index < 5 + rows * 3; index += 3) {
      keys.push({
        key: String(reply[index]),
        waiting: Number(reply[index + 1]),
        running: Number(reply[index + 2]),
      });
    }
    keys.sort((a, b) => b.waiting - a.waiting || b.running - a.running || a.key.localeCompare(b.key));
    const paused: PausedGroup[] = [];
    for (let index = 5 + rows * 3; index < reply.length; index += 2) {
      paused.push({ group: String(reply[index]), resumeAt: Number(reply[index + 1]) });
    }
    return {
      keysWaiting: Number(reply[1]),
      keysRunning: Number(reply[2]),
      pausedGroups: Number(reply[3]),
      keys: keys.slice(0, limit),
      paused,
    };
  }

  /** Overrides the queue's defaults for one user, on every replica at once; fields left out keep the default. */
  async setUserLimits(queue: string, userId: string, limits: UserLimits): Promise<void> {
    this.policy(queue);
    const parsed = userLimitsSchema.safeParse(limits);
    if (!parsed.success) {
      throw new FairnessLimitsError(
        parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
        queue,
      );
    }
    await this.options.connection.hset(`${this.key(queue)}:limits`, userId, JSON.stringify(parsed.data));
  }

  async clearUserLimits(queue: string, userId: string): Promise<void> {
    this.policy(queue);
    await this.options.connection.hdel(`${this.key(queue)}:limits`, userId);
  }

  /** The limits that apply to a user: its overrides over the queue's defaults. */
  async userLimits(queue: string, userId: string): Promise<UserLimits> {
    const { readyWindow: _, ...defaults } = this.policy(queue);
    const raw = await this.options.connection.hget(`${this.key(queue)}:limits`, userId);
    return raw ? { ...defaults, ...(JSON.parse(raw) as UserLimits) } : defaults;
  }

  private toJob(taskId: string, userId: string, due: string, body: string): AdmittedJob {
    const job = JSON.parse(body) as Omit<AdmittedJob, 'taskId' | 'userId'>;
    // The job keeps the instant its task was created (its record's createdAt), not its admission.
    const timestamp = job.opts.timestamp ?? Number(due);
    return {
      taskId,
      userId,
      name: job.name,
      data: job.data,
      opts: { ...job.opts, timestamp },
      ...(job.retry ? { retry: job.retry } : {}),
    };
  }

  private key(queue: string): string {
    return `${this.options.prefix}:fair:${queue}`;
  }
}
