import { TaskError } from '@foreman/core';

export class ScheduleExistsError extends TaskError {
  constructor(readonly scheduleId: string) {
    super('SCHEDULE_EXISTS', `A schedule with id "${scheduleId}" already exists`);
  }
}
