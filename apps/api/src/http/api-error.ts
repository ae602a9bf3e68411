import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type ApiErrorCode, httpStatus } from './error-status.js';

/** The one error body of the api: `{ error: { code, message, details? } }`. */
export interface ErrorBody {
  error: { code: ApiErrorCode; message: string; details?: unknown };
}

/** An error answered to the caller; its status follows from its code (`httpStatus`). */
export class ApiError extends Error {
  /** For 429: seconds until the caller may try again, sent as `Retry-After`. */
  retryAfterSeconds?: number;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): ContentfulStatusCode {
    return httpStatus(this.code);
  }

  toBody(): ErrorBody {
    return {
      error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) },
    };
  }
}
