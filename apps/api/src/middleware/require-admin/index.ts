import { createMiddleware } from 'hono/factory';
import type { ApiEnv } from '../../http/api-env.js';
import { ApiError } from '../../http/api-error.js';

/** Lets only admin keys through (403 otherwise); runs after `auth`. */
export function requireAdmin() {
  return createMiddleware<ApiEnv>(async (c, next) => {
    if (!c.get('identity')?.admin) throw new ApiError('FORBIDDEN', 'This needs an admin api key');
    await next();
  });
}
