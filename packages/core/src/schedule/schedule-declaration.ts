import type { TaskContract } from '../task/define-task.js';
import { validateTiming } from './validate-timing.js';

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
}

export function declareSchedule(declaration: ScheduleDeclaration): ScheduleDeclaration {
  validateTiming(declaration.id, declaration);
  return Object.freeze({ ...declaration });
}
