import {
  ownerSubmitter,
  type RedisConnection,
  type SubmitQuota,
  type TaskClient,
  TaskError,
} from '@foreman/core';
import type { Db, ScheduleRecord } from '@foreman/db';
import type { Logger } from '@foreman/logger';
import { ScheduleStore, type TickRecord } from './schedule-store.js';
import { TickLock } from './tick-lock.js';
import { planTick } from './tick-plan.js';

export interface ScheduleRunnerOptions {
  db: Db;
  /** Submits the runs (through fair admission on fair queues) and tells whether a run has finished. */
  client: TaskClient;
  connection: RedisConnection;
  /** Redis key prefix of the deployment. */
  prefix: string;
  logger: Logger;
  /** How often due schedules are looked for. */
  tickMs?: number;
  /** An occurrence older than this when beat handles it was missed (beat was down or stalled). */
  misfireGraceMs?: number;
  /** The users' submit quota, which their schedules' runs count against; none when left out. */
  quota?: SubmitQuota | undefined;
}

/** What one tick did with one schedule. */
export interface ScheduleTick {
  id: string;
  fired: number[];
  skipped: number;
  queued: boolean;
}

/** The task id of a schedule's run for one occurrence: the same whichever beat submits it. */
export const runTaskId = (scheduleId: string, occurrence: number) => `${scheduleId}-${occurrence}`;

/**
 * Fires the schedules table: every tick, each enabled schedule with a due occurrence is handled by
 * its misfire and overlap policies (`planTick`), its runs are submitted as its owner's tasks, and
 * its next run, last run and held occurrence are written back to its row. Since that state lives
 * in the row, a stopped and restarted beat carries on where it stopped; ticks hold a Redis lock,
 * so any number of beats fire each occurrence once.
 */
export class ScheduleRunner {
  private readonly store: ScheduleStore;
  private readonly lock: TickLock;
  private readonly tickMs: number;
  private readonly graceMs: number;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ScheduleRunnerOptions) {
    this.store = new ScheduleStore(options.db);
    this.lock = new TickLock(options.connection, options.prefix);
    this.tickMs = options.tickMs ?? 250;
    this.graceMs = options.misfireGraceMs ?? 5_000;
    this.logger = options.logger.child({ component: 'schedule-runner' });
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.ticking = this.ticking
        .then(() => this.tick())
        .catch((error) => this.logger.error({ err: error }, 'schedule tick failed'));
    }, this.tickMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /** One tick; undefined when another beat holds the tick. */
  tick(now = Date.now()): Promise<ScheduleTick[] | undefined> {
    return this.lock.exclusive(async () => {
      const outcomes: ScheduleTick[] = [];
      for (const row of await this.store.due(new Date(now))) {
        try {
          outcomes.push(await this.tickOne(row, now));
        } catch (error) {
          // Redis or the database failed: the row is untouched and the next tick tries again;
          // a run already submitted has the same task id then, so it is not submitted twice.
          this.logger.error({ err: error, scheduleId: row.id }, 'schedule not handled; retrying next tick');
        }
      }
      return outcomes;
    });
  }

  private async tickOne(row: ScheduleRecord, now: number): Promise<ScheduleTick> {
    const { client } = this.options;
    const running = row.lastTaskId !== null && (await client.isUnfinished(row.queue, row.lastTaskId));
    const plan = planTick({
      timing:
        row.cron !== null ? { cron: row.cron, timezone: row.timezone } : { everyMs: row.everyMs as number },
      overlapPolicy: row.overlapPolicy,
      misfirePolicy: row.misfirePolicy,
      misfireCap: row.misfireCap,
      nextRunAt: row.nextRunAt?.getTime() ?? null,
      queuedRunAt: row.queuedRunAt?.getTime() ?? null,
      running,
      now,
      misfireGraceMs: this.graceMs,
    });
    const tick: TickRecord = {
      nextRunAt: new Date(plan.nextRunAt),
      queuedRunAt: plan.queuedRunAt === null ? null : new Date(plan.queuedRunAt),
      skippedRuns: row.skippedRuns + plan.skipped,
    };
    const fired: number[] = [];
    // A user's schedule runs with the rights its owner holds now; a declared one as the system.
    const submitter = await ownerSubmitter(this.options.db, row.ownerUserId);
    const { quota } = this.options;
    for (const occurrence of plan.fire) {
      try {
        const submit = () =>
          client.submit(row.taskName, row.payload, {
            taskId: runTaskId(row.id, occurrence),
            userId: row.ownerUserId ?? undefined,
            submitter,
          });
        const submitted =
          quota && row.ownerUserId !== null ? await quota.around(row.ownerUserId, 1, submit) : await submit();
        tick.lastTaskId = submitted.taskId;
        tick.lastRunAt = new Date();
        fired.push(occurrence);
      } catch (error) {
        // The schedule cannot fire as it stands (its task is unknown here, its payload no longer
        // fits the contract, its owner may not run it or is past the submit quota): the
        // occurrence is dropped rather than retried forever.
        if (!(error instanceof TaskError)) throw error;
        this.logger.error({ err: error, scheduleId: row.id, occurrence }, 'schedule run refused; skipped');
        tick.skippedRuns = (tick.skippedRuns ?? 0) + 1;
      }
    }
    const recorded = await this.store.recordTick(row, tick);
    if (!recorded)
      this.logger.info({ scheduleId: row.id }, 'schedule changed during its tick; left as edited');
    if (fired.length > 0 || plan.skipped > 0) {
      this.logger.info(
        { scheduleId: row.id, fired, skipped: plan.skipped, nextRunAt: tick.nextRunAt },
        'schedule ticked',
      );
    }
    return { id: row.id, fired, skipped: plan.skipped, queued: plan.queuedRunAt !== null };
  }
}
