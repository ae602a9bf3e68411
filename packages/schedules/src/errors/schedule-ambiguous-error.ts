import { TaskError } from '@foreman/core';
import type { ScheduleErrorCode } from './schedule-error-code.js';

/** An unscoped caller (an admin) named an id that several users' schedules have. */
export class ScheduleAmbiguousError extends TaskError<ScheduleErrorCode> {
  constructor(
    readonly scheduleId: string,
    readonly owners: string[],
  ) {
    super(
      'SCHEDULE_AMBIGUOUS',
      `Several users have a schedule "${scheduleId}" (${owners.join(', ')}); name the user`,
    );
  }
}
