import type { RedisConnection } from '@foreman/core/producer';
import { createMiddleware } from 'hono/factory';
import type { ApiEnv } from '../../http/api-env.js';
import { ApiError } from '../../http/api-error.js';

export interface RateLimitOptions {
  redis: RedisConnection;
  /** Redis key prefix of the deployment. */
  prefix: string;
  /** Requests one key may make per window. */
  limit: number;
  windowMs?: number;
}

/**
 * Fixed-window request limit per api key, counted in Redis so every api replica shares it.
 * Over the limit: 429 with Retry-After (seconds to the window's end); runs after `auth`.
 */
export function rateLimit({ redis, prefix, limit, windowMs = 60_000 }: RateLimitOptions) {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const keyId = c.get('identity').id;
    const window = Math.floor(Date.now() / windowMs);
    const counter = `${prefix}:rate-limit:${keyId}:${window}`;
    const [[, count] = [], [, ttl] = []] = (await redis
      .multi()
      .incr(counter)
      .pexpire(counter, windowMs, 'NX')
      .pttl(counter)
      .exec()) as Array<[Error | null, number]>;
    const used = Number(count);
    c.header('RateLimit-Limit', String(limit));
    c.header('RateLimit-Remaining', String(Math.max(0, limit - used)));
    if (used > limit) {
      const error = new ApiError('RATE_LIMITED', `More than ${limit} requests in ${windowMs / 1000} s`);
      error.retryAfterSeconds = Math.max(1, Math.ceil(Number(ttl) / 1000));
      throw error;
    }
    await next();
  });
}
