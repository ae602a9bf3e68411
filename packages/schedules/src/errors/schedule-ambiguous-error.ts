import { TaskError } from '@foreman/core';

/** An unscoped caller (an admin) named an id that several users' schedules have. */
export class ScheduleAmbiguousError extends TaskError {
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
