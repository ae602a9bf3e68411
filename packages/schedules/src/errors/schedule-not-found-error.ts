import { TaskError } from '@foreman/core';

export class ScheduleNotFoundError extends TaskError {
  constructor(readonly scheduleId: string) {
    super('SCHEDULE_NOT_FOUND', `No schedule with id "${scheduleId}"`);
  }
}
