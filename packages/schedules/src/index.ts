export { DeclaredScheduleError } from './errors/declared-schedule-error.js';
export { ScheduleExistsError } from './errors/schedule-exists-error.js';
export { ScheduleInputError } from './errors/schedule-input-error.js';
export { ScheduleNotFoundError } from './errors/schedule-not-found-error.js';
export { JobSchedulers } from './job-schedulers.js';
export {
  type CreateScheduleInput,
  createScheduleInput,
  type UpdateScheduleInput,
  updateScheduleInput,
} from './schedule-input.js';
export {
  ScheduleService,
  type ScheduleServiceOptions,
  type ScheduleView,
  type SyncReport,
} from './schedule-service.js';
export { ScheduleStore } from './schedule-store.js';
