import { TaskError } from '@foreman/core';
import type { ScheduleErrorCode } from './schedule-error-code.js';

export class ScheduleExistsError extends TaskError<ScheduleErrorCode> {
  constructor(readonly scheduleId: string) {
    super('SCHEDULE_EXISTS', `A schedule with id "${scheduleId}" already exists`);
  }
}
