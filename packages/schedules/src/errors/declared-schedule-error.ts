import { TaskError } from '@foreman/core';
import type { ScheduleErrorCode } from './schedule-error-code.js';

/** Declared schedules come back whenever beat starts, so they are paused rather than deleted. */
export class DeclaredScheduleError extends TaskError<ScheduleErrorCode> {
  constructor(readonly scheduleId: string) {
    super(
      'SCHEDULE_DECLARED',
      `Schedule "${scheduleId}" is declared in code and cannot be deleted; pause it instead`,
    );
  }
}
