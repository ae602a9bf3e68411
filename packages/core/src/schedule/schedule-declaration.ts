import type { TaskContract } from '../task/define-task.js';

/**
 * A recurring schedule, declared next to the task it fires (in that domain's contracts file).
 * Exactly one of `cron` (with an IANA `timezone`, default UTC) or `everyMs` is set.
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
}

export function declareSchedule(declaration: ScheduleDeclaration): ScheduleDeclaration {
  if ((declaration.cron === undefined) === (declaration.everyMs === undefined)) {
    throw new TypeError(`Schedule "${declaration.id}" needs exactly one of cron or everyMs`);
  }
  if (declaration.everyMs !== undefined && !(declaration.everyMs >= 1_000)) {
    throw new TypeError(`Schedule "${declaration.id}": everyMs must be at least 1000`);
  }
  return Object.freeze({ ...declaration });
}
