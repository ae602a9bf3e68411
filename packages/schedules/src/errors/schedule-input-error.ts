import { TaskError, type ValidationIssue } from '@foreman/core';
import type { ScheduleErrorCode } from './schedule-error-code.js';

export class ScheduleInputError extends TaskError<ScheduleErrorCode> {
  constructor(readonly issues: ValidationIssue[]) {
    super(
      'SCHEDULE_INVALID',
      `Invalid schedule: ${issues.map((issue) => `${issue.path || '(schedule)'}: ${issue.message}`).join('; ')}`,
    );
  }
}
