import { z } from '@hono/zod-openapi';
import { jsonResponse } from './json-response.js';

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'PAYLOAD_INVALID' }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error');

export const errorContent = (description: string) => jsonResponse(errorSchema, description);

/** The error answers every authenticated route may give, for the OpenAPI document. */
export const commonErrors = {
  400: errorContent('Malformed or invalid request'),
  401: errorContent('Missing, unknown or revoked api key'),
  429: errorContent(
    'RATE_LIMITED: requests of the key; QUOTA_EXCEEDED: tasks submitted by the user. See Retry-After',
  ),
} as const;

export const notFound = errorContent('Not found, or not visible to this key');
export const forbidden = errorContent('Needs an admin key');
export const taskForbidden = errorContent(
  'TASK_FORBIDDEN: a system task (only admin keys and declared schedules run it), or a payload naming data that is not the user’s (another user’s or none: the answer does not tell)',
);
export const conflict = errorContent('Not possible in the current state');
