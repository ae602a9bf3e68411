import type { z } from '@hono/zod-openapi';

/** An OpenAPI response (or request body) of JSON with the given schema. */
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
