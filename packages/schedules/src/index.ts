export { DeclaredScheduleError } from './errors/declared-schedule-error.js';
export { ScheduleAmbiguousError } from './errors/schedule-ambiguous-error.js';
export type { ScheduleErrorCode } from './errors/schedule-error-code.js';
export { ScheduleExistsError } from './errors/schedule-exists-error.js';
export { ScheduleInputError } from './errors/schedule-input-error.js';
export { ScheduleLimitError } from './errors/schedule-limit-error.js';
export { ScheduleNotFoundError } from './errors/schedule-not-found-error.js';
export {
  type CreateScheduleInput,
  createScheduleInput,
  type UpdateScheduleInput,
  updateScheduleInput,
} from './schedule-input.js';
export {
  runTaskId,
  ScheduleRunner,
  type ScheduleRunnerOptions,
  type ScheduleTick,
} from './schedule-runner.js';
export {
  SCHEDULE_LIMIT_DEFAULTS,
  type ScheduleLimits,
  type ScheduleScope,
  ScheduleService,
  type ScheduleServiceOptions,
  type ScheduleView,
  scheduleKey,
} from './schedule-service.js';
export { ScheduleStore, type TickRecord } from './schedule-store.js';
export { planTick, type TickInput, type TickPlan } from './tick-plan.js';
