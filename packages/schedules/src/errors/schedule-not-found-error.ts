import { TaskError } from '@foreman/core';
import type { ScheduleErrorCode } from './schedule-error-code.js';

export class ScheduleNotFoundError extends TaskError<ScheduleErrorCode> {
  constructor(readonly scheduleId: string) {
    super('SCHEDULE_NOT_FOUND', `No schedule with id "${scheduleId}"`);
  }
}
