import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { ApiError } from '../../http/api-error.js';
import { presented } from '../auth/index.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface SameOriginOptions {
  /**
   * Origins (`https://ops.example.com`) accepted besides the request's own host, for a proxy that
   * rewrites the Host header.
   */
  trustedOrigins?: readonly string[];
  /** Paths guarded whatever credential the request carries (the login form: login CSRF). */
  alwaysGuarded?: readonly string[];
}

/**
 * CSRF guard. A state-changing request that authenticates by the session cookie alone could be
 * forged by another site's page, so it must come from this origin: its `Origin` (or, when a browser
 * sends none, `Referer`) must name the request's own host or a trusted origin; 403 otherwise.
 * Requests with a key header are not a browser's doing and pass. The cookie is SameSite=Strict as
 * well; this check is the second wall.
 */
export function sameOrigin({ trustedOrigins = [], alwaysGuarded = [] }: SameOriginOptions = {}) {
  const trusted = new Set(trustedOrigins.map((origin) => new URL(origin).origin));
  return createMiddleware(async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const guarded = alwaysGuarded.includes(c.req.path) || presented(c)?.credential === 'cookie';
    if (guarded && !fromOwnOrigin(c, trusted)) {
      throw new ApiError(
        'CROSS_ORIGIN_REJECTED',
        'A request authenticated by the dashboard session must come from the dashboard’s own origin',
      );
    }
    await next();
  });
}

function fromOwnOrigin(c: Context, trusted: ReadonlySet<string>): boolean {
  const claimed = c.req.header('origin') ?? c.req.header('referer');
  if (!claimed || claimed === 'null' || !URL.canParse(claimed)) return false;
  const origin = new URL(claimed);
  // The scheme is not compared: behind a TLS-terminating proxy the api itself is reached over http.
  return origin.host === new URL(c.req.url).host || trusted.has(origin.origin);
}
