import type { ApiKeyIdentity, ApiKeyStore } from '@foreman/db';
import { hashApiKey } from '@foreman/db';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { ApiEnv, Credential } from '../../http/api-env.js';
import { ApiError } from '../../http/api-error.js';

/** Cookie the dashboard's login sets, so pages, EventSource and Bull Board carry the key. */
export const SESSION_COOKIE = 'foreman_key';

export interface AuthOptions {
  keys: Pick<ApiKeyStore, 'verify'>;
  /** How long a verified key is trusted without asking the database again (revocation delay). */
  cacheMs?: number;
  /**
   * Pages a browser navigates to (the dashboard, Bull Board): a GET of one without a valid key is
   * sent to `loginPath` (303, with `?next=`) instead of answering 401.
   */
  isPage?: (path: string) => boolean;
  loginPath?: string;
}

export interface PresentedKey {
  key: string;
  credential: Credential;
}

/** The key a request presents: `Authorization: Bearer`, `X-Api-Key`, or the dashboard's cookie. */
export function presentedKey(c: Context): PresentedKey | undefined {
  const bearer = c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const header = bearer ?? c.req.header('x-api-key');
  if (header) return { key: header, credential: 'header' };
  const cookie = getCookie(c, SESSION_COOKIE);
  return cookie ? { key: cookie, credential: 'cookie' } : undefined;
}

/**
 * Rejects requests without a live api key (401) and puts the key's identity, and whether it came
 * in a header or the session cookie, on the context.
 */
export function auth({ keys, cacheMs = 5_000, isPage = () => false, loginPath = '/login' }: AuthOptions) {
  const cache = new Map<string, { identity: ApiKeyIdentity; until: number }>();
  const identify = async (key: string) => {
    // Cache by hash so the raw key is never kept in memory longer than the request.
    const hash = hashApiKey(key);
    const now = Date.now();
    const cached = cache.get(hash);
    if (cached && cached.until >= now) return cached.identity;
    const identity = await keys.verify(key);
    if (!identity) {
      cache.delete(hash);
      return undefined;
    }
    if (cache.size > 10_000) cache.clear();
    cache.set(hash, { identity, until: now + cacheMs });
    return identity;
  };

  return createMiddleware<ApiEnv>(async (c, next) => {
    const presented = presentedKey(c);
    const identity = presented && (await identify(presented.key));
    if (!presented || !identity) {
      if (c.req.method === 'GET' && isPage(c.req.path)) {
        const url = new URL(c.req.url);
        return c.redirect(`${loginPath}?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
      }
      throw presented
        ? new ApiError(401, 'UNAUTHENTICATED', 'Unknown or revoked api key')
        : new ApiError(401, 'UNAUTHENTICATED', 'An api key is required (Authorization: Bearer <key>)');
    }
    c.set('identity', identity);
    c.set('credential', presented.credential);
    await next();
  });
}
