import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { SESSION_COOKIE } from '../middleware/auth/index.js';

/** `auto`: Secure when the request came over https (directly or per X-Forwarded-Proto). */
export type CookieSecure = 'auto' | 'always' | 'never';

export interface SessionCookieOptions {
  secure: CookieSecure;
  maxAgeSeconds: number;
}

const overHttps = (c: Context) =>
  new URL(c.req.url).protocol === 'https:' ||
  c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';

const isSecure = (c: Context, secure: CookieSecure) =>
  secure === 'always' || (secure === 'auto' && overHttps(c));

/**
 * The dashboard session's cookie: only the session's random id (see SessionStore), HttpOnly and
 * SameSite=Strict, so scripts cannot read it and other sites cannot send it.
 */
export function setSessionCookie(c: Context, sessionId: string, options: SessionCookieOptions): void {
  setCookie(c, SESSION_COOKIE, sessionId, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: isSecure(c, options.secure),
    path: '/',
    maxAge: options.maxAgeSeconds,
  });
}

export function clearSessionCookie(c: Context, options: SessionCookieOptions): void {
  deleteCookie(c, SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: isSecure(c, options.secure),
    path: '/',
  });
}
