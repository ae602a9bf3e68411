import { findNul, NUL_MESSAGE } from '@foreman/core';
import type { Context } from 'hono';
import { ApiError } from './api-error.js';
import type { ApiErrorCode } from './error-status.js';

/**
 * Reads a JSON body; malformed JSON is the client's error, not ours, and so is a `\u0000` the
 * database could not store (refused with `code`, naming the field).
 */
export async function readJson(c: Context, code: ApiErrorCode = 'BODY_INVALID'): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError('JSON_MALFORMED', 'Request body is not valid JSON');
  }
  const nul = findNul(body);
  if (nul !== undefined) {
    throw new ApiError(code, `Invalid body: ${nul || '(body)'} ${NUL_MESSAGE}`, [
      { path: nul, message: NUL_MESSAGE },
    ]);
  }
  return body;
}
