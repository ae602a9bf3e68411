import type { Context } from 'hono';
import { ApiError } from './api-error.js';

/** Reads a JSON body; malformed JSON is the client's error, not ours. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'JSON_MALFORMED', 'Request body is not valid JSON');
  }
}
