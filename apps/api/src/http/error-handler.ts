import { AlertingError } from '@foreman/alerting';
import { QuotaExceededError, TaskError } from '@foreman/core/task';
import type { Logger } from '@foreman/logger';
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
  if (error instanceof QuotaExceededError) {
    const apiError = new ApiError(error.code, error.message, error.details);
    apiError.retryAfterSeconds = error.retryAfterSeconds;
    return apiError;
  }
  // Some carry field-level problems (PAYLOAD_INVALID, SCHEDULE_INVALID) as `issues`.
  if (error instanceof TaskError) return new ApiError(error.code, error.message, issuesOf(error));
  if (error instanceof AlertingError) return new ApiError(error.code, error.message, error.details);
  if (error instanceof HTTPException) {
    // Hono's JSON validator throws this for bodies that do not parse.
    if (error.status === 400 && /JSON/i.test(error.message)) {
      return new ApiError('JSON_MALFORMED', 'Request body is not valid JSON');
    }
    // The OpenAPI validator refuses a body that is not declared JSON (curl -d sends a form type).
    if (error.status === 415) {
      return new ApiError(
        'UNSUPPORTED_MEDIA_TYPE',
        'Send the body as JSON, with Content-Type: application/json',
      );
    }
    if (error.status === 413) return new ApiError('BODY_TOO_LARGE', error.message);
    return error.status >= 500
      ? new ApiError('INTERNAL', 'Internal server error')
      : new ApiError('HTTP_ERROR', error.message);
  }
  // The last wall behind the checks at the edge: a NUL the database refused is the caller's doing.
  if (isNulRefusal(error)) {
    return new ApiError('INPUT_INVALID', 'The request holds a character the database cannot store (\\u0000)');
  }
  return new ApiError('INTERNAL', 'Internal server error');
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

const issuesOf = (error: TaskError<string>): unknown => (error as { issues?: unknown }).issues;
