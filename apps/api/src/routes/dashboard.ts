import type { Context } from 'hono';
import { Hono } from 'hono';
import type { StaticAsset } from '../dashboard/static-assets.js';
import type { ApiEnv } from '../http/api-env.js';
import { ApiError } from '../http/api-error.js';

/** The dashboard runs only its own files and talks only to this api. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

const send = (c: Context, asset: StaticAsset | undefined, headers: Record<string, string> = {}) => {
  if (!asset) throw new ApiError('ASSET_NOT_FOUND', 'No such dashboard file');
  if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304, { etag: asset.etag });
  return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, {
    'content-type': asset.contentType,
    etag: asset.etag,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
};

/**
 * GET /dashboard (the app, behind the key like every route), GET /login (the page where a browser
 * trades a key for the session cookie) and GET /dashboard/assets/* (scripts and styles; they hold
 * no data, so the login page can use them before anyone is signed in).
 */
export function dashboardRoutes({ assets }: { assets: ReadonlyMap<string, StaticAsset> }) {
  return new Hono<ApiEnv>()
    .get('/', (c) => c.redirect('/dashboard', 302))
    .get('/dashboard', (c) => send(c, assets.get('index.html'), PAGE_HEADERS))
    .get('/login', (c) => send(c, assets.get('login.html'), PAGE_HEADERS))
    .get('/dashboard/assets/*', (c) => {
      const name = c.req.path.slice('/dashboard/assets/'.length);
      return send(c, name.endsWith('.html') ? undefined : assets.get(name));
    });
}
