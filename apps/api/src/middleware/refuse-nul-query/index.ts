import { findNul, NUL_MESSAGE } from '@foreman/core';
import { createMiddleware } from 'hono/factory';
import { ApiError } from '../../http/api-error.js';

/**
 * Refuses a query string holding U+0000 (`?name=a%00b`) on every route, including those that read
 * their query without a schema: the database could not compare or store it. Bodies and path
 * parameters are checked where they are parsed (`validationHook`, `readJson`).
 */
export const refuseNulQuery = () =>
  createMiddleware(async (c, next) => {
    if (c.req.url.includes('%00')) {
      const field = findNul(c.req.queries());
      if (field !== undefined) {
        throw new ApiError('QUERY_INVALID', 'Invalid query', [
          { path: field.replace(/\.\d+$/, ''), message: NUL_MESSAGE },
        ]);
      }
    }
    return next();
  });
