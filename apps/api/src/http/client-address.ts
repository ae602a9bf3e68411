import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/**
 * The address the request's connection came from (the socket's, not X-Forwarded-For, which a
 * client can set). Requests without a socket (in-process tests) share `unknown`.
 */
export function clientAddress(c: Context): string {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}
