import { randomUUID } from 'node:crypto';
import { nextOccurrence, type ScheduleTiming } from './next-occurrence.js';
import type { ScheduleState, ScheduleStateStore } from './schedule-state-store.js';

/** What to do when an occurrence comes while the schedule's previous run is still going. */
export type OverlapPolicy = 'skip' | 'queue_one' | 'allow';

/** What to do with occurrences missed while beat was down. */
export type MisfirePolicy = { policy: 'run_once' } | { policy: 'run_all'; cap: number } | { policy: 'skip' };

export interface PolicySchedule {
  id: string;
  timing: ScheduleTiming;
  overlap: OverlapPolicy;
  misfire: MisfirePolicy;
}

export interface PolicyBeatOptions {
  schedules: PolicySchedule[];
  store: ScheduleStateStore;
  /** Submits one run of a schedule for an occurrence; returns its task id. */
  fire(schedule: PolicySchedule, occurrence: number): Promise<string>;
  /** Whether a run submitted earlier has not finished (waiting, delayed or running). */
  isRunning(taskId: string): Promise<boolean>;
  /** An occurrence older than this when beat sees it was missed (beat was down or stalled). */
  misfireGraceMs?: number;
}

export interface TickOutcome {
  id: string;
  fired: number[];
  skipped: number;
  queued: boolean;
}

/** Occurrences looked at per tick at most: a long outage is fast-forwarded, not enumerated. */
const MAX_DUE = 1_000;

/**
 * Fires schedules by their misfire and overlap policies, with each schedule's last and next run
 * kept in Redis. One tick at a time across every beat (a lock), so replicas never double-fire.
 */
export class PolicyBeat {
  private readonly graceMs: number;
  private readonly token = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: PolicyBeatOptions) {
    this.graceMs = options.misfireGraceMs ?? 1_000;
  }

  /** Ticks every `tickMs` until `stop`. */
  start(tickMs = 250): void {
    this.timer ??= setInterval(() => {
      this.ticking = this.ticking.then(() => this.tick()).catch(() => undefined);
    }, tickMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  async tick(now = Date.now()): Promise<TickOutcome[] | undefined> {
    return this.options.store.exclusive(this.token, 30_000, async () => {
      const outcomes: TickOutcome[] = [];
      for (const schedule of this.options.schedules) outcomes.push(await this.tickOne(schedule, now));
      return outcomes;
    });
  }

  private async tickOne(schedule: PolicySchedule, now: number): Promise<TickOutcome> {
    const { store, fire, isRunning } = this.options;
    // A schedule seen for the first time starts from now: nothing counts as missed.
    const state: ScheduleState = (await store.get(schedule.id)) ?? {
      nextRunAt: nextOccurrence(schedule.timing, now),
      skipped: 0,
    };
    const due: number[] = [];
    let at = state.nextRunAt;
    while (at <= now && due.length < MAX_DUE) {
      due.push(at);
      at = nextOccurrence(schedule.timing, at);
    }
    if (at <= now) at = nextOccurrence(schedule.timing, now);
    const toFire = this.misfire(schedule.misfire, due, now);
    let skipped = due.length - toFire.length;

    const fired: number[] = [];
    let running = state.lastTaskId !== undefined && (await isRunning(state.lastTaskId));
    const run = async (occurrence: number) => {
      state.lastTaskId = await fire(schedule, occurrence);
      state.lastRunAt = Date.now();
      state.lastOccurrence = occurrence;
      fired.push(occurrence);
      running = true;
    };
    if (state.queuedOccurrence !== undefined && !running) {
      const queued = state.queuedOccurrence;
      state.queuedOccurrence = undefined;
      await run(queued);
    }
    for (const occurrence of toFire) {
      if (!running || schedule.overlap === 'allow') await run(occurrence);
      else if (schedule.overlap === 'queue_one') {
        // One held at most: a newer occurrence replaces the older one, which counts as skipped.
        if (state.queuedOccurrence !== undefined) skipped += 1;
        state.queuedOccurrence = occurrence;
      } else skipped += 1;
    }
    state.nextRunAt = at;
    state.skipped += skipped;
    await store.set(schedule.id, state);
    return { id: schedule.id, fired, skipped, queued: state.queuedOccurrence !== undefined };
  }

  /** The due occurrences to run: on-time ones always; missed ones as the policy says. */
  private misfire(policy: MisfirePolicy, due: number[], now: number): number[] {
    const missed = due.filter((occurrence) => now - occurrence > this.graceMs);
    const onTime = due.slice(missed.length);
    if (missed.length === 0 || policy.policy === 'skip') return onTime;
    if (policy.policy === 'run_once') return onTime.length > 0 ? onTime : missed.slice(-1);
    // run_all: the most recent `cap` of all due occurrences, in order.
    return due.slice(-policy.cap);
  }
}
