/**
 * Every code the core's TaskErrors carry. Packages with errors of their own (schedules,
 * workflows) type theirs with `TaskError<TheirCode>` and export their union; the api maps the
 * union of them all to HTTP statuses in one exhaustive switch.
 */
export type TaskErrorCode =
  | 'DELAY_INVALID'
  | 'FAIRNESS_LIMITS_INVALID'
  | 'IDEMPOTENCY_KEY_CONFLICT'
  | 'IDEMPOTENCY_KEY_INVALID'
  | 'OPTION_INVALID'
  | 'PAYLOAD_INVALID'
  | 'PAYLOAD_TOO_LARGE'
  | 'PRIORITY_INVALID'
  | 'QUEUE_NOT_FAIR'
  | 'QUOTA_EXCEEDED'
  | 'RESULT_INVALID'
  | 'SCHEDULE_TIMING_INVALID'
  | 'SUBMIT_FAILED'
  | 'SUBMIT_OPTIONS_INVALID'
  | 'TASK_CANCELLED'
  | 'TASK_DUPLICATE'
  | 'TASK_FAILED'
  | 'TASK_FORBIDDEN'
  | 'TASK_LOCK_LOST'
  | 'TASK_NOT_FOUND'
  | 'TASK_NOT_PARKED'
  | 'TASK_PARKED'
  | 'TASK_RATE_LIMITED'
  | 'TASK_SOFT_TIMEOUT'
  | 'TASK_STATE_CONFLICT'
  | 'TASK_TIMEOUT'
  | 'TASK_UNKNOWN'
  | 'TASK_WAIT_TIMEOUT'
  | 'WEBHOOK_URL_REFUSED'
  | 'WORKER_SHUTDOWN';
