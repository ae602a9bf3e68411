import { createTestRedis, type TestRedis } from '@foreman/core/testing';
import { Hono } from 'hono';
import type { ApiEnv } from '../../http/api-env.js';
import { ApiError } from '../../http/api-error.js';
import { rateLimit } from './index.js';

describe('rateLimit', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await createTestRedis('rate_limit');
  });
  afterAll(() => redis.cleanup());

  const appFor = (limit: number) =>
    new Hono<ApiEnv>()
      .use('*', async (c, next) => {
        c.set('identity', { id: c.req.header('x-key') ?? 'k', userId: 'u', admin: false });
        await next();
      })
      .use('*', rateLimit({ redis: redis.redis, prefix: redis.prefix, limit, windowMs: 60_000 }))
      .get('/', (c) => c.text('ok'))
      .onError((error, c) => {
        if (!(error instanceof ApiError)) throw error;
        if (error.retryAfterSeconds) c.header('Retry-After', String(error.retryAfterSeconds));
        return c.json(error.toBody(), error.status);
      });

  it('answers 429 with Retry-After past the limit, per key', async () => {
    const app = appFor(3);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await app.request('/', { headers: { 'x-key': 'a' } })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await app.request('/', { headers: { 'x-key': 'a' } });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    // Another key has its own budget.
    expect((await app.request('/', { headers: { 'x-key': 'b' } })).status).toBe(200);
  });
});
