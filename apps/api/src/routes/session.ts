import { type ApiKeyStore, hashApiKey } from '@foreman/db';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { getCookie } from 'hono/cookie';
import type { ApiEnv } from '../http/api-env.js';
import { ApiError } from '../http/api-error.js';
import { clientAddress } from '../http/client-address.js';
import { readJson } from '../http/read-json.js';
import { toIssues, validationHook } from '../http/validation-hook.js';
import { SESSION_COOKIE } from '../middleware/auth/index.js';
import type { FailedAuthLimit } from '../middleware/rate-limit/failed-auth-limit.js';
import { errorSchema } from '../schemas/error.js';
import {
  clearSessionCookie,
  type SessionCookieOptions,
  setSessionCookie,
} from '../session/session-cookie.js';
import type { SessionStore } from '../session/session-store.js';

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
  sessions: SessionStore;
  cookie: SessionCookieOptions;
  /** Failed sign-ins count against the client address like failed key checks. */
  failures?: Pick<FailedAuthLimit, 'check' | 'record'> | undefined;
}

/**
 * POST /login `{ key }`: a browser trades an api key for a server-side session whose random id is
 * all the cookie holds (the key is checked like a header key; the answer never contains it).
 * POST /logout revokes the session, so a copy of the cookie stops working too, and clears it.
 */
export function sessionRoutes({ keys, sessions, cookie, failures }: SessionRouteOptions) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.openapi(
    createRoute({
      method: 'post',
      path: '/login',
      tags,
      summary: 'Sign a browser in: starts a session; its id goes in an HttpOnly, SameSite=Strict cookie',
      request: { body: { content: { 'application/json': { schema: loginBody } } } },
      responses: {
        200: {
          description: 'Signed in; Set-Cookie carries the session',
          content: { 'application/json': { schema: sessionSchema } },
        },
        400: error('Malformed body'),
        401: error('Unknown or revoked api key; no cookie is set'),
        403: error('Sent from another origin'),
        429: error('Too many failed sign-ins from this address; see Retry-After'),
      },
    }),
    async (c) => {
      const body = loginBody.safeParse(await readJson(c));
      if (!body.success)
        throw new ApiError('BODY_INVALID', 'Expected { "key": "<api key>" }', toIssues(body.error));
      const address = clientAddress(c);
      await failures?.check(address);
      const identity = await keys.verify(body.data.key);
      if (!identity) {
        await failures?.record(address);
        throw new ApiError('UNAUTHENTICATED', 'Unknown or revoked api key');
      }
      setSessionCookie(c, await sessions.create(hashApiKey(body.data.key)), cookie);
      return c.json({ userId: identity.userId, admin: identity.admin }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/logout',
      tags,
      summary: 'Sign a browser out: ends the session on the server and clears its cookie',
      responses: { 204: { description: 'Signed out' }, 403: error('Sent from another origin') },
    }),
    async (c) => {
      const session = getCookie(c, SESSION_COOKIE);
      if (session) await sessions.revoke(session);
      clearSessionCookie(c, cookie);
      return c.body(null, 204);
    },
  );
  return app;
}
