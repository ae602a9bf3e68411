import { TaskError, type ValidationIssue } from '@foreman/core';

export class ScheduleInputError extends TaskError {
  constructor(readonly issues: ValidationIssue[]) {
    super(
      'SCHEDULE_INVALID',
      `Invalid schedule: ${issues.map((issue) => `${issue.path || '(schedule)'}: ${issue.message}`).join('; ')}`,
    );
  }
}
