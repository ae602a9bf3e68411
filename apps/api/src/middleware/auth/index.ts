import type { ApiKeyIdentity, ApiKeyStore } from '@foreman/db';
import { hashApiKey } from '@foreman/db';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { ApiEnv, Credential } from '../../http/api-env.js';
import { ApiError } from '../../http/api-error.js';
import { clientAddress } from '../../http/client-address.js';
import { READ_TOKEN_PREFIX, type ReadTokens, readScopeAllows } from '../../read-tokens/read-tokens.js';
import type { SessionStore } from '../../session/session-store.js';
import type { FailedAuthLimit } from '../rate-limit/failed-auth-limit.js';

/** Cookie the dashboard's login sets: a session id (never the key), for pages, EventSource and Bull Board. */
export const SESSION_COOKIE = 'foreman_session';

export interface AuthOptions {
  keys: Pick<ApiKeyStore, 'verifyHash'>;
  /** Where the dashboard's sessions live; without it the session cookie is ignored. */
  sessions?: Pick<SessionStore, 'keyHashOf'> | undefined;
  /** Counts failed checks per client address and refuses (429) past its limit. */
  failures?: Pick<FailedAuthLimit, 'check' | 'record'> | undefined;
  /** How long a verified key is trusted without asking the database again (revocation delay). */
  cacheMs?: number;
  /**
   * Pages a browser navigates to (the dashboard, Bull Board): a GET of one without a valid key is
   * sent to `loginPath` (303, with `?next=`) instead of answering 401.
   */
  isPage?: (path: string) => boolean;
  loginPath?: string;
  /** Verifies browsers' read tokens (`fmr_…`); without it every read token is refused. */
  readTokens?: Pick<ReadTokens, 'verify'> | undefined;
}

/** What a request presents: a key (`Authorization: Bearer`, `X-Api-Key`) or the session cookie. */
export type Presented = { key: string; credential: 'header' } | { session: string; credential: 'cookie' };

export function presented(c: Context): Presented | undefined {
  const bearer = c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const header = bearer ?? c.req.header('x-api-key');
  if (header) return { key: header, credential: 'header' };
  const session = getCookie(c, SESSION_COOKIE);
  return session ? { session, credential: 'cookie' satisfies Credential } : undefined;
}

/**
 * Rejects requests without a live api key or session (401) and puts the key's identity, and
 * whether it came in a header or the session cookie, on the context. A session stands for its
 * key: revoking the key ends it too.
 */
export function auth({
  keys,
  sessions,
  failures,
  cacheMs = 5_000,
  isPage = () => false,
  loginPath = '/login',
  readTokens,
}: AuthOptions) {
  // By key hash, so the raw key is never kept in memory longer than the request.
  const cache = new Map<string, { identity: ApiKeyIdentity; until: number }>();
  const identify = async (c: Context, credentials: Presented) => {
    const keyHash =
      'key' in credentials ? hashApiKey(credentials.key) : await sessions?.keyHashOf(credentials.session);
    const now = Date.now();
    const cached = keyHash === undefined ? undefined : cache.get(keyHash);
    if (cached && cached.until >= now) return cached.identity;
    const address = clientAddress(c);
    await failures?.check(address);
    const identity = keyHash === undefined ? undefined : await keys.verifyHash(keyHash);
    if (!identity || keyHash === undefined) {
      if (keyHash !== undefined) cache.delete(keyHash);
      await failures?.record(address);
      return undefined;
    }
    if (cache.size > 10_000) cache.clear();
    cache.set(keyHash, { identity, until: now + cacheMs });
    return identity;
  };

  return createMiddleware<ApiEnv>(async (c, next) => {
    const credentials = presented(c);
    if (credentials && 'key' in credentials && credentials.key.startsWith(READ_TOKEN_PREFIX)) {
      const grant = await readTokens?.verify(credentials.key);
      if (!grant) throw new ApiError('READ_TOKEN_INVALID', 'The read token is expired, altered or unknown');
      if (!readScopeAllows(grant.scope, c.req.method, c.req.path, new URL(c.req.url).searchParams)) {
        throw new ApiError(
          'READ_TOKEN_SCOPE',
          'A read token only reads the task, workflow or events it names',
        );
      }
      const scopeId = grant.scope.kind === 'user' ? grant.userId : grant.scope.id;
      // No key behind it: rate limits and stream caps count per scope.
      c.set('identity', { id: `read:${grant.scope.kind}:${scopeId}`, userId: grant.userId, admin: false });
      c.set('credential', 'header');
      return next();
    }
    const identity = credentials && (await identify(c, credentials));
    if (!credentials || !identity) {
      if (c.req.method === 'GET' && isPage(c.req.path)) {
        const url = new URL(c.req.url);
        return c.redirect(`${loginPath}?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
      }
      throw !credentials
        ? new ApiError('UNAUTHENTICATED', 'An api key is required (Authorization: Bearer <key>)')
        : credentials.credential === 'cookie'
          ? new ApiError('UNAUTHENTICATED', 'The session has ended; sign in again')
          : new ApiError('UNAUTHENTICATED', 'Unknown or revoked api key');
    }
    c.set('identity', identity);
    c.set('credential', credentials.credential);
    await next();
  });
}
