import { AlertingError } from '@foreman/alerting';
import {
  PayloadTooLargeError,
  PayloadValidationError,
  QuotaExceededError,
  TaskError,
  TaskForbiddenError,
  TaskNotFoundError,
  TaskStateError,
  UnknownTaskError,
} from '@foreman/core';
import type { Logger } from '@foreman/logger';
import { ScheduleLimitError } from '@foreman/schedules';
import type { ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ApiError } from './api-error.js';

/** Maps every error to the one error body; unexpected ones are logged and answered 500. */
export function errorHandler(logger: Logger): ErrorHandler {
  return (error, c) => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) logger.error({ err: error, path: c.req.path }, 'request failed');
    if (apiError.status === 429 && apiError.retryAfterSeconds !== undefined) {
      c.header('Retry-After', String(apiError.retryAfterSeconds));
    }
    return c.json(apiError.toBody(), apiError.status);
  };
}

function toApiError(error: Error): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof UnknownTaskError) return new ApiError(404, error.code, error.message);
  if (error instanceof PayloadValidationError)
    return new ApiError(400, error.code, error.message, error.issues);
  if (error instanceof QuotaExceededError) {
    const apiError = new ApiError(429, error.code, error.message, error.details);
    apiError.retryAfterSeconds = error.retryAfterSeconds;
    return apiError;
  }
  if (error instanceof ScheduleLimitError) {
    return new ApiError(error.code === 'SCHEDULE_LIMIT_EXCEEDED' ? 403 : 400, error.code, error.message);
  }
  if (error instanceof TaskForbiddenError) return new ApiError(403, error.code, error.message);
  if (error instanceof TaskNotFoundError) return new ApiError(404, error.code, error.message);
  if (error instanceof TaskStateError) return new ApiError(409, error.code, error.message);
  if (error instanceof PayloadTooLargeError) return new ApiError(413, error.code, error.message);
  if (error instanceof TaskError) {
    // Services name conflicts and misses in their codes (SCHEDULE_NOT_FOUND, SCHEDULE_EXISTS…).
    if (error.code.endsWith('_NOT_FOUND')) return new ApiError(404, error.code, error.message);
    if (/_(EXISTS|DECLARED|CONFLICT)$/.test(error.code)) return new ApiError(409, error.code, error.message);
    const issues = (error as { issues?: unknown }).issues;
    return new ApiError(400, error.code, error.message, issues);
  }
  if (error instanceof AlertingError) {
    return new ApiError(ALERTING_STATUS[error.code] ?? 400, error.code, error.message, error.details);
  }
  if (error instanceof HTTPException) {
    // Hono's JSON validator throws this for bodies that do not parse.
    if (error.status === 400 && /JSON/i.test(error.message)) {
      return new ApiError(400, 'JSON_MALFORMED', 'Request body is not valid JSON');
    }
    // The OpenAPI validator refuses a body that is not declared JSON (curl -d sends a form type).
    if (error.status === 415) {
      return new ApiError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'Send the body as JSON, with Content-Type: application/json',
      );
    }
    return new ApiError(error.status as 400, 'HTTP_ERROR', error.message);
  }
  // The last wall behind the checks at the edge: a NUL the database refused is the caller's doing.
  if (isNulRefusal(error)) {
    return new ApiError(
      400,
      'INPUT_INVALID',
      'The request holds a character the database cannot store (\\u0000)',
    );
  }
  return new ApiError(500, 'INTERNAL', 'Internal server error');
}

/** PostgreSQL's refusal of U+0000 in text (22021) or jsonb (22P05), under drizzle's wrapper. */
function isNulRefusal(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 5; depth += 1) {
    const code = (cause as { code?: unknown }).code;
    if (code === '22021' || code === '22P05') return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

const ALERTING_STATUS: Record<string, 400 | 404 | 409> = {
  ALERT_NOT_FOUND: 404,
  ALERT_RULE_NOT_FOUND: 404,
  ALERT_RULE_EXISTS: 409,
  ALERT_RULE_READ_ONLY: 409,
  ALERT_STATE_INVALID: 409,
};
