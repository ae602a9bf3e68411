import { TaskError } from '@foreman/core';

/** Declared schedules come back whenever beat starts, so they are paused rather than deleted. */
export class DeclaredScheduleError extends TaskError {
  constructor(readonly scheduleId: string) {
    super(
      'SCHEDULE_DECLARED',
      `Schedule "${scheduleId}" is declared in code and cannot be deleted; pause it instead`,
    );
  }
}
