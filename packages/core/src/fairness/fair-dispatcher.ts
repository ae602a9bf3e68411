import type { Logger } from '@foreman/logger';
import { Job, Queue } from 'bullmq';
import type { RedisConnection } from '../redis/create-redis.js';
import type { TaskAttemptOutcome, TaskLifecycleListener } from '../worker/task-lifecycle-listener.js';
import type { FairScheduler } from './fair-scheduler.js';

export interface FairDispatcherOptions {
  scheduler: FairScheduler;
  queue: string;
  connection: RedisConnection;
  prefix: string;
  logger: Logger;
  /** Longest pause between two admission rounds when nothing wakes the dispatcher earlier. */
  pollMs?: number;
  /** How often slots of tasks that finished without a release are looked for. */
  sweepEveryMs?: number;
}

/**
 * Runs in every worker process of a fair queue: admits waiting tasks into BullMQ whenever the
 * ready window has room, and frees a user's slot when its task ends. Several dispatchers on one
 * queue are safe: each admission round is one atomic script.
 */
export class FairDispatcher {
  private readonly queue: Queue;
  private readonly logger: Logger;
  private readonly pollMs: number;
  private readonly sweepEveryMs: number;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private poked = false;

  /**
   * Frees slots as tasks end and starts the next round at once, and pauses a keyed task's group
   * when its task is pushed back; give it to the TaskWorker.
   */
  readonly listener: TaskLifecycleListener = {
    onStarted: () => this.poke(),
    onCompleted: (outcome) => this.release(outcome),
    onFailed: (outcome) => (outcome.final ? this.release(outcome) : undefined),
    onCancelled: (outcome) => this.release(outcome),
    onPushedBack: (outcome) => this.pause(outcome.flowGroup, outcome.retryAfterMs),
  };

  constructor(private readonly options: FairDispatcherOptions) {
    this.logger = options.logger.child({ queue: options.queue, component: 'fair-dispatcher' });
    this.pollMs = options.pollMs ?? 100;
    this.sweepEveryMs = options.sweepEveryMs ?? 5_000;
    this.queue = new Queue(options.queue, { connection: options.connection, prefix: options.prefix });
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Runs an admission round now instead of at the next poll. */
  poke(): void {
    this.poked = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await this.queue.close();
  }

  /** The pushed-back task keeps its slot (it runs again, first, once the pause is over). */
  private async pause(group: string | undefined, ms: number | undefined): Promise<void> {
    if (group === undefined || !ms) return;
    await this.options.scheduler.pause(this.options.queue, group, ms);
    this.logger.info({ group, ms }, 'flow group paused by a push-back');
  }

  private async release({ userId, taskId, flowGroup }: TaskAttemptOutcome): Promise<void> {
    await this.options.scheduler.release(this.options.queue, userId, taskId, flowGroup);
    this.poke();
  }

  private async run(): Promise<void> {
    const { scheduler, queue } = this.options;
    let lastSweep = 0;
    while (!this.stopped) {
      let pause = this.pollMs;
      try {
        this.poked = false;
        if (Date.now() - lastSweep >= this.sweepEveryMs) {
          lastSweep = Date.now();
          const freed = await scheduler.sweep(queue);
          if (freed > 0) this.logger.warn({ freed }, 'freed slots of tasks that ended without a release');
        }
        const { jobs, retryInMs } = await scheduler.dispatch(queue);
        if (jobs.length > 0) {
          const fresh = jobs.filter((job) => !job.retry);
          if (fresh.length > 0)
            await this.queue.addBulk(fresh.map(({ name, data, opts }) => ({ name, data, opts })));
          for (const job of jobs.filter((candidate) => candidate.retry)) await this.retryFailed(job.taskId);
          await scheduler.acknowledge(
            queue,
            jobs.map((job) => job.taskId),
          );
          // The window may have more room already; look again straight away.
          continue;
        }
        if (retryInMs !== undefined) pause = Math.min(pause, retryInMs);
      } catch (error) {
        this.logger.error({ err: error }, 'admission round failed; retrying');
        pause = 1_000;
      }
      if (!this.poked && !this.stopped) await this.sleep(pause);
    }
  }

  /** A retried task's job is still in BullMQ, failed: it runs again with fresh attempts. */
  private async retryFailed(taskId: string): Promise<void> {
    const job = await Job.fromId(this.queue, taskId);
    // Handed out again after a dispatcher died: the first one may have retried it already.
    if (!job || (await job.getState()) !== 'failed') return;
    await job.retry('failed', { resetAttemptsMade: true });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
