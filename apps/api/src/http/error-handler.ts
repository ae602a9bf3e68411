import { PayloadValidationError, TaskError, UnknownTaskError } from '@foreman/core';
import type { Logger } from '@foreman/logger';
import type { ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ApiError } from './api-error.js';

/** Maps every error to the one error body; unexpected ones are logged and answered 500. */
export function errorHandler(logger: Logger): ErrorHandler {
  return (error, c) => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) logger.error({ err: error, path: c.req.path }, 'request failed');
    return c.json(apiError.toBody(), apiError.status);
  };
}

function toApiError(error: Error): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof UnknownTaskError) return new ApiError(404, error.code, error.message);
  if (error instanceof PayloadValidationError)
    return new ApiError(400, error.code, error.message, error.issues);
  if (error instanceof TaskError) return new ApiError(400, error.code, error.message);
  if (error instanceof HTTPException) return new ApiError(error.status as 400, 'HTTP_ERROR', error.message);
  return new ApiError(500, 'INTERNAL', 'Internal server error');
}
