/** Every code of the schedules' TaskErrors. */
export type ScheduleErrorCode =
  | 'SCHEDULE_AMBIGUOUS'
  | 'SCHEDULE_DECLARED'
  | 'SCHEDULE_EXISTS'
  | 'SCHEDULE_INVALID'
  | 'SCHEDULE_LIMIT_EXCEEDED'
  | 'SCHEDULE_NOT_FOUND'
  | 'SCHEDULE_TOO_FREQUENT';
