import { TaskError } from './task-error.js';

export class ScheduleTimingError extends TaskError {
  readonly scheduleId: string;

  constructor(scheduleId: string, reason: string) {
    super('SCHEDULE_TIMING_INVALID', `Schedule "${scheduleId}": ${reason}`);
    this.scheduleId = scheduleId;
  }
}
