import type { ApiKeyIdentity } from '@foreman/db';
import { Hono } from 'hono';
import type { ApiEnv } from '../../http/api-env.js';
import type { ApiError } from '../../http/api-error.js';
import { auth, SESSION_COOKIE } from './index.js';

describe('auth', () => {
  const alice: ApiKeyIdentity = { id: 'k1', userId: 'alice', admin: false };
  let live = new Map<string, ApiKeyIdentity>([['good-key', alice]]);
  const verified: string[] = [];
  const keys = {
    verify: async (key: string) => {
      verified.push(key);
      return live.get(key);
    },
  };
  const app = new Hono<ApiEnv>()
    .use('*', auth({ keys, cacheMs: 60_000 }))
    .get('/', (c) => c.json(c.get('identity')))
    .onError((error, c) => c.json((error as ApiError).toBody(), (error as ApiError).status));

  it('takes the key from a bearer header, X-Api-Key or the session cookie', async () => {
    for (const headers of [
      { authorization: 'Bearer good-key' } as Record<string, string>,
      { 'x-api-key': 'good-key' },
      { cookie: `${SESSION_COOKIE}=good-key` },
    ]) {
      const response = await app.request('/', { headers });
      expect(await response.json()).toEqual(alice);
    }
  });

  it('answers 401 without a key or with an unknown one', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer nope' },
      { authorization: 'Basic good-key' },
    ] as Array<Record<string, string>>) {
      const response = await app.request('/', { headers });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('trusts a verified key for the cache time only', async () => {
    verified.length = 0;
    live = new Map([['other-key', alice]]);
    const cachedApp = new Hono<ApiEnv>()
      .use('*', auth({ keys, cacheMs: 1 }))
      .get('/', (c) => c.text('ok'))
      .onError((error, c) => c.json((error as ApiError).toBody(), (error as ApiError).status));
    expect((await cachedApp.request('/', { headers: { 'x-api-key': 'other-key' } })).status).toBe(200);
    live = new Map();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await cachedApp.request('/', { headers: { 'x-api-key': 'other-key' } })).status).toBe(401);
    expect(verified).toEqual(['other-key', 'other-key']);
  });
});
