import type { ApiKeyStore } from '@foreman/db';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/api-env.js';
import { ApiError } from '../http/api-error.js';
import { readJson } from '../http/read-json.js';
import { toIssues, validationHook } from '../http/validation-hook.js';
import { errorSchema } from '../schemas/error.js';
import {
  clearSessionCookie,
  type SessionCookieOptions,
  setSessionCookie,
} from '../session/session-cookie.js';

const tags = ['dashboard'];
const loginBody = z
  .object({ key: z.string().min(1).max(512) })
  .strict()
  .openapi('Login');
const sessionSchema = z.object({ userId: z.string(), admin: z.boolean() }).openapi('Session');
const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: errorSchema } },
});

export interface SessionRouteOptions {
  keys: Pick<ApiKeyStore, 'verify'>;
  cookie: SessionCookieOptions;
}

/**
 * POST /login `{ key }`: a browser trades an api key for the session cookie the dashboard and
 * Bull Board use (the key is checked like a header key; the answer never contains it).
 * POST /logout clears the cookie.
 */
export function sessionRoutes({ keys, cookie }: SessionRouteOptions) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.openapi(
    createRoute({
      method: 'post',
      path: '/login',
      tags,
      summary: 'Sign a browser in: sets the HttpOnly, SameSite=Strict session cookie',
      request: { body: { content: { 'application/json': { schema: loginBody } } } },
      responses: {
        200: {
          description: 'Signed in; Set-Cookie carries the session',
          content: { 'application/json': { schema: sessionSchema } },
        },
        400: error('Malformed body'),
        401: error('Unknown or revoked api key; no cookie is set'),
        403: error('Sent from another origin'),
      },
    }),
    async (c) => {
      const body = loginBody.safeParse(await readJson(c));
      if (!body.success)
        throw new ApiError(400, 'BODY_INVALID', 'Expected { "key": "<api key>" }', toIssues(body.error));
      const identity = await keys.verify(body.data.key);
      if (!identity) throw new ApiError(401, 'UNAUTHENTICATED', 'Unknown or revoked api key');
      setSessionCookie(c, body.data.key, cookie);
      return c.json({ userId: identity.userId, admin: identity.admin }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/logout',
      tags,
      summary: 'Sign a browser out: clears the session cookie',
      responses: { 204: { description: 'Signed out' }, 403: error('Sent from another origin') },
    }),
    (c) => {
      clearSessionCookie(c, cookie);
      return c.body(null, 204);
    },
  );
  return app;
}
