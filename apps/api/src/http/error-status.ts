import type { AlertingErrorCode } from '@foreman/alerting';
import type { TaskErrorCode } from '@foreman/core/task';
import type { MailboxErrorCode } from '@foreman/imap';
import type { ScheduleErrorCode } from '@foreman/schedules';
import type { WorkflowErrorCode } from '@foreman/workflows';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The mailbox failures the api answers with their own code; the others are the server's (500). */
export type ExposedMailboxErrorCode = Extract<
  MailboxErrorCode,
  | 'MAILBOX_AUTH_FAILED'
  | 'MAILBOX_EXISTS'
  | 'MAILBOX_HOST_NOT_ALLOWED'
  | 'MAILBOX_KEY_MISSING'
  | 'MAILBOX_NOT_FOUND'
  | 'MAILBOX_UNREACHABLE'
>;

/** Codes the api raises itself, besides those of the packages' errors. */
export type ApiOwnErrorCode =
  | 'APPROVAL_ALREADY_DECIDED'
  | 'APPROVAL_EXPIRED'
  | 'APPROVAL_TOKEN_INVALID'
  | 'ASSET_NOT_FOUND'
  | 'BODY_INVALID'
  | 'BODY_TOO_LARGE'
  | 'COOKIE_INVALID'
  | 'CROSS_ORIGIN_REJECTED'
  | 'CURSOR_INVALID'
  | 'DEAD_LETTER_NOT_FOUND'
  | 'EMAIL_NOT_FOUND'
  | 'EVENT_ID_INVALID'
  | 'EXPORT_FILE_GONE'
  | 'EXPORT_NOT_FOUND'
  | 'FORBIDDEN'
  | 'FORM_INVALID'
  | 'HEADER_INVALID'
  | 'HTTP_ERROR'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'INPUT_INVALID'
  | 'INTERNAL'
  | 'JSON_MALFORMED'
  | 'KEY_NOT_FOUND'
  | 'METRICS_DISABLED'
  | 'PARAM_INVALID'
  | 'QUERY_INVALID'
  | 'QUEUE_NOT_FOUND'
  | 'RATE_LIMITED'
  | 'READ_TOKEN_INVALID'
  | 'READ_TOKEN_SCOPE'
  | 'READ_TOKENS_DISABLED'
  | 'REQUEST_INVALID'
  | 'ROUTE_NOT_FOUND'
  | 'TOO_MANY_STREAMS'
  | 'UNAUTHENTICATED'
  | 'UNSUPPORTED_MEDIA_TYPE';

/** Every code an api error body can carry. */
export type ApiErrorCode =
  | ApiOwnErrorCode
  | TaskErrorCode
  | ScheduleErrorCode
  | WorkflowErrorCode
  | AlertingErrorCode
  | ExposedMailboxErrorCode;

/**
 * The HTTP status of every error code, in one exhaustive switch: a code added to any of the
 * unions above without a case here does not compile.
 */
export function httpStatus(code: ApiErrorCode): ContentfulStatusCode {
  switch (code) {
    case 'BODY_INVALID':
    case 'COOKIE_INVALID':
    case 'CURSOR_INVALID':
    case 'EVENT_ID_INVALID':
    case 'FORM_INVALID':
    case 'HEADER_INVALID':
    case 'HTTP_ERROR':
    case 'INPUT_INVALID':
    case 'JSON_MALFORMED':
    case 'PARAM_INVALID':
    case 'QUERY_INVALID':
    case 'REQUEST_INVALID':
    case 'DELAY_INVALID':
    case 'FAIRNESS_LIMITS_INVALID':
    case 'IDEMPOTENCY_KEY_INVALID':
    case 'PAYLOAD_INVALID':
    case 'PRIORITY_INVALID':
    case 'SCHEDULE_TIMING_INVALID':
    case 'SUBMIT_OPTIONS_INVALID':
    case 'WEBHOOK_URL_REFUSED':
    case 'SCHEDULE_AMBIGUOUS':
    case 'SCHEDULE_INVALID':
    case 'SCHEDULE_TOO_FREQUENT':
    case 'WORKFLOW_CYCLE':
    case 'WORKFLOW_INVALID':
    case 'ALERT_CHANNEL_UNKNOWN':
    case 'ALERT_RULE_INVALID':
    case 'MAILBOX_HOST_NOT_ALLOWED':
    // Outcomes of a task the caller waited on: answered as before, the request's failure.
    case 'RESULT_INVALID':
    case 'TASK_CANCELLED':
    case 'TASK_FAILED':
    case 'TASK_SOFT_TIMEOUT':
    case 'TASK_TIMEOUT':
    case 'TASK_WAIT_TIMEOUT':
      return 400;
    case 'READ_TOKEN_INVALID':
    case 'UNAUTHENTICATED':
      return 401;
    case 'CROSS_ORIGIN_REJECTED':
    case 'FORBIDDEN':
    case 'READ_TOKEN_SCOPE':
    case 'APPROVAL_TOKEN_INVALID':
    case 'TASK_FORBIDDEN':
    case 'SCHEDULE_LIMIT_EXCEEDED':
      return 403;
    case 'ASSET_NOT_FOUND':
    case 'DEAD_LETTER_NOT_FOUND':
    case 'EMAIL_NOT_FOUND':
    case 'EXPORT_FILE_GONE':
    case 'EXPORT_NOT_FOUND':
    case 'KEY_NOT_FOUND':
    case 'METRICS_DISABLED':
    case 'QUEUE_NOT_FOUND':
    case 'READ_TOKENS_DISABLED':
    case 'ROUTE_NOT_FOUND':
    case 'QUEUE_NOT_FAIR':
    case 'TASK_NOT_FOUND':
    case 'TASK_UNKNOWN':
    case 'SCHEDULE_NOT_FOUND':
    case 'WORKFLOW_NOT_FOUND':
    case 'ALERT_NOT_FOUND':
    case 'ALERT_RULE_NOT_FOUND':
    case 'MAILBOX_NOT_FOUND':
      return 404;
    case 'IDEMPOTENCY_KEY_CONFLICT':
    case 'TASK_STATE_CONFLICT':
    // Waking a task that is not parked, or deciding an approval twice or too late.
    case 'TASK_NOT_PARKED':
    case 'TASK_PARKED':
    case 'APPROVAL_ALREADY_DECIDED':
    case 'APPROVAL_EXPIRED':
    case 'SCHEDULE_DECLARED':
    case 'SCHEDULE_EXISTS':
    case 'ALERT_RULE_EXISTS':
    case 'ALERT_RULE_READ_ONLY':
    case 'ALERT_STATE_INVALID':
    case 'MAILBOX_EXISTS':
      return 409;
    case 'BODY_TOO_LARGE':
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 415;
    case 'IDEMPOTENCY_KEY_REUSED':
    case 'MAILBOX_AUTH_FAILED':
      return 422;
    case 'QUOTA_EXCEEDED':
    case 'RATE_LIMITED':
    case 'TASK_RATE_LIMITED':
    case 'TOO_MANY_STREAMS':
      return 429;
    // A registry with a name twice, or a component built with a bad option, is the server's
    // fault, not the request's.
    case 'INTERNAL':
    case 'OPTION_INVALID':
    case 'TASK_DUPLICATE':
      return 500;
    case 'CHANNEL_DELIVERY_FAILED':
    case 'MAILBOX_UNREACHABLE':
      return 502;
    // Redis discarded the submit, the worker is stopping, the key is not configured: try later.
    case 'MAILBOX_KEY_MISSING':
    case 'SUBMIT_FAILED':
    case 'TASK_LOCK_LOST':
    case 'WORKER_SHUTDOWN':
      return 503;
    default:
      return unmapped(code);
  }
}

/** Only reached by a code outside the unions at run time (a bug): the server's fault. */
function unmapped(_code: never): ContentfulStatusCode {
  return 500;
}
