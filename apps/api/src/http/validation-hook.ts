import type { Hook } from '@hono/zod-openapi';
import type { ZodError } from 'zod';
import { ApiError } from './api-error.js';

/** Field-level problems as `[{ path: 'to.0', message }]`, the same shape task payload errors use. */
export const toIssues = (error: ZodError) =>
  error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));

/** Every schema-validation failure of a route becomes the one error body. */
// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by routes of every input type
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (result.success) return;
  const target = (result as { target?: string }).target ?? 'request';
  throw new ApiError(
    400,
    target === 'json' ? 'BODY_INVALID' : `${target.toUpperCase()}_INVALID`,
    `Invalid ${target === 'json' ? 'body' : target}`,
    toIssues(result.error as ZodError),
  );
};
