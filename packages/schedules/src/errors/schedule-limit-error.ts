import { TaskError } from '@foreman/core';

/**
 * A user's schedule would pass a limit: SCHEDULE_LIMIT_EXCEEDED, the user has as many schedules
 * as they may; SCHEDULE_TOO_FREQUENT, it would run more often than a user's schedule may.
 */
export class ScheduleLimitError extends TaskError {
  constructor(
    readonly scheduleId: string,
    code: 'SCHEDULE_LIMIT_EXCEEDED' | 'SCHEDULE_TOO_FREQUENT',
    reason: string,
  ) {
    super(code, `Schedule "${scheduleId}" refused: ${reason}`);
  }
}
