import type { MisfirePolicy, OverlapPolicy } from '@foreman/db';
import { ScheduleTimingError } from '../errors/schedule-timing-error.js';
import type { TaskContract } from '../task/define-task.js';
import { validateTiming } from './validate-timing.js';

export type ScheduleOverlapPolicy = OverlapPolicy;
export type ScheduleMisfirePolicy = MisfirePolicy;

/**
 * Policies of a schedule that names none: an occurrence is dropped while the previous run is
 * still going, and occurrences missed while beat was down run once, as one late run.
 */
export const SCHEDULE_POLICY_DEFAULTS = {
  overlapPolicy: 'skip',
  misfirePolicy: 'run_once',
  misfireCap: 10,
} as const satisfies {
  overlapPolicy: OverlapPolicy;
  misfirePolicy: MisfirePolicy;
  misfireCap: number;
};

/** Largest `misfireCap`: how many missed occurrences one `run_all` catch-up may submit. */
export const MAX_MISFIRE_CAP = 1_000;

/**
 * A recurring schedule, declared next to the task it fires (in that domain's contracts file).
 * Exactly one of `cron` (with an IANA `timezone`, default UTC) or `everyMs` is set; beat seeds its
 * schedules table with these when it starts and keeps edits made at runtime.
 */
export interface ScheduleDeclaration {
  /** Stable id; beat instances and restarts converge on one schedule per id. */
  id: string;
  task: TaskContract;
  payload: unknown;
  cron?: string;
  timezone?: string;
  everyMs?: number;
  description?: string;
  /** While the previous run is waiting or running: `skip` (default), `queue_one` or `allow`. */
  overlapPolicy?: OverlapPolicy;
  /** Occurrences missed while beat was down: `run_once` (default), `run_all` (the latest `misfireCap`) or `skip`. */
  misfirePolicy?: MisfirePolicy;
  /** run_all: most missed occurrences submitted at once (10). */
  misfireCap?: number;
}

export function declareSchedule(declaration: ScheduleDeclaration): ScheduleDeclaration {
  validateTiming(declaration.id, declaration);
  const cap = declaration.misfireCap;
  if (cap !== undefined && !(Number.isInteger(cap) && cap >= 1 && cap <= MAX_MISFIRE_CAP)) {
    throw new ScheduleTimingError(
      declaration.id,
      `misfireCap must be a whole number from 1 to ${MAX_MISFIRE_CAP}`,
    );
  }
  return Object.freeze({ ...declaration });
}
