import { z } from '@hono/zod-openapi';
import { errorSchema } from './error.js';
import { jsonResponse } from './json-response.js';

/** The `Idempotency-Key` request header of the submit routes. */
export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .optional()
    .openapi({
      description:
        'Up to 200 printable ASCII characters. The first request with a key (per user and route) runs; ' +
        'any other within 24 hours, concurrent ones included, gets its answer (with `Idempotent-Replayed: true`) ' +
        'and changes nothing. The same key with a different request: 422 `IDEMPOTENCY_KEY_REUSED`.',
      example: 'order-4711-confirmation',
    }),
});

export const idempotencyReused = jsonResponse(
  errorSchema,
  'IDEMPOTENCY_KEY_REUSED: the Idempotency-Key came with a different request before',
);
