import { TaskError } from '@foreman/core';
import type { ScheduleErrorCode } from './schedule-error-code.js';

/**
 * A user's schedule would pass a limit: SCHEDULE_LIMIT_EXCEEDED, the user has as many schedules
 * as they may; SCHEDULE_TOO_FREQUENT, it would run more often than a user's schedule may.
 */
export class ScheduleLimitError extends TaskError<ScheduleErrorCode> {
  constructor(
    readonly scheduleId: string,
    code: Extract<ScheduleErrorCode, 'SCHEDULE_LIMIT_EXCEEDED' | 'SCHEDULE_TOO_FREQUENT'>,
    reason: string,
  ) {
    super(code, `Schedule "${scheduleId}" refused: ${reason}`);
  }
}
