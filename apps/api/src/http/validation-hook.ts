import { findNul, NUL_MESSAGE } from '@foreman/core';
import type { Hook } from '@hono/zod-openapi';
import type { ZodError } from 'zod';
import { ApiError } from './api-error.js';
import type { ApiErrorCode } from './error-status.js';

/** Field-level problems as `[{ path: 'to.0', message }]`, the same shape task payload errors use. */
export const toIssues = (error: ZodError) =>
  error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));

/** The code of a validation failure of each part of a request. */
const TARGET_CODES: Partial<Record<string, ApiErrorCode>> = {
  json: 'BODY_INVALID',
  query: 'QUERY_INVALID',
  param: 'PARAM_INVALID',
  header: 'HEADER_INVALID',
  cookie: 'COOKIE_INVALID',
  form: 'FORM_INVALID',
};

/**
 * Every schema-validation failure of a route becomes the one error body. Valid input holding
 * U+0000 is refused too: the database could not store it (a 500 deeper down otherwise); inside a
 * task payload (a `payload` field, or the whole body with `bodyCode`) as `PAYLOAD_INVALID`.
 */
const hookWith =
  // biome-ignore lint/suspicious/noExplicitAny: the hook is shared by routes of every input type
    (bodyIsPayload: boolean): Hook<any, any, any, any> =>
    (result) => {
      const target = (result as { target?: string }).target ?? 'request';
      const code = TARGET_CODES[target] ?? 'REQUEST_INVALID';
      const message = `Invalid ${target === 'json' ? 'body' : target}`;
      if (!result.success) throw new ApiError(code, message, toIssues(result.error as ZodError));
      const nul = findNul(result.data);
      if (nul === undefined) return;
      const inPayload = target === 'json' && (bodyIsPayload || nul.split('.').includes('payload'));
      throw new ApiError(inPayload ? 'PAYLOAD_INVALID' : code, message, [
        { path: nul, message: NUL_MESSAGE },
      ]);
    };

export const validationHook = hookWith(false);
/** For routes whose whole body is a task payload. */
export const payloadValidationHook = hookWith(true);
