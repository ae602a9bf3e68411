import type { ApiKeyIdentity, ApiKeyStore } from '@foreman/db';
import { hashApiKey } from '@foreman/db';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { ApiEnv } from '../../http/api-env.js';
import { ApiError } from '../../http/api-error.js';

/** Cookie the dashboard's login sets, so pages, EventSource and Bull Board carry the key. */
export const SESSION_COOKIE = 'foreman_key';

export interface AuthOptions {
  keys: Pick<ApiKeyStore, 'verify'>;
  /** How long a verified key is trusted without asking the database again (revocation delay). */
  cacheMs?: number;
}

/** The key a request presents: `Authorization: Bearer`, `X-Api-Key`, or the dashboard's cookie. */
export function presentedKey(
  header: (name: string) => string | undefined,
  cookie?: string,
): string | undefined {
  const bearer = header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return bearer ?? header('x-api-key') ?? cookie;
}

/** Rejects requests without a live api key (401) and puts the key's identity on the context. */
export function auth({ keys, cacheMs = 5_000 }: AuthOptions) {
  const cache = new Map<string, { identity: ApiKeyIdentity; until: number }>();
  return createMiddleware<ApiEnv>(async (c, next) => {
    const key = presentedKey((name) => c.req.header(name), getCookie(c, SESSION_COOKIE));
    if (!key)
      throw new ApiError(401, 'UNAUTHENTICATED', 'An api key is required (Authorization: Bearer <key>)');
    // Cache by hash so the raw key is never kept in memory longer than the request.
    const hash = hashApiKey(key);
    const now = Date.now();
    let cached = cache.get(hash);
    if (!cached || cached.until < now) {
      const identity = await keys.verify(key);
      if (!identity) {
        cache.delete(hash);
        throw new ApiError(401, 'UNAUTHENTICATED', 'Unknown or revoked api key');
      }
      cached = { identity, until: now + cacheMs };
      if (cache.size > 10_000) cache.clear();
      cache.set(hash, cached);
    }
    c.set('identity', cached.identity);
    await next();
  });
}
