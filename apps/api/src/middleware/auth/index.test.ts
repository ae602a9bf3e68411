import { type ApiKeyIdentity, hashApiKey } from '@foreman/db';
import { Hono } from 'hono';
import type { ApiEnv } from '../../http/api-env.js';
import type { ApiError } from '../../http/api-error.js';
import { auth, SESSION_COOKIE } from './index.js';

describe('auth', () => {
  const alice: ApiKeyIdentity = { id: 'k1', userId: 'alice', admin: false };
  let live = new Map<string, ApiKeyIdentity>([['good-key', alice]]);
  const verified: string[] = [];
  const keys = {
    verifyHash: async (hash: string) => {
      verified.push(hash);
      return [...live].find(([key]) => hashApiKey(key) === hash)?.[1];
    },
  };
  // The session `good-session` stands for `good-key`.
  const sessions = {
    keyHashOf: async (id: string) => (id === 'good-session' ? hashApiKey('good-key') : undefined),
  };
  const app = new Hono<ApiEnv>()
    .use('*', auth({ keys, sessions, cacheMs: 60_000 }))
    .get('/', (c) => c.json(c.get('identity')))
    .onError((error, c) => c.json((error as ApiError).toBody(), (error as ApiError).status));

  it('takes the key from a bearer header, X-Api-Key or the session cookie', async () => {
    for (const headers of [
      { authorization: 'Bearer good-key' } as Record<string, string>,
      { 'x-api-key': 'good-key' },
      { cookie: `${SESSION_COOKIE}=good-session` },
    ]) {
      const response = await app.request('/', { headers });
      expect(await response.json()).toEqual(alice);
    }
  });

  it('tells handlers whether the key came in a header or the cookie; a header wins over the cookie', async () => {
    const credentialApp = new Hono<ApiEnv>()
      .use('*', auth({ keys, sessions }))
      .get('/', (c) => c.text(c.get('credential')));
    const credential = async (headers: Record<string, string>) =>
      (await credentialApp.request('/', { headers })).text();
    live = new Map([['good-key', alice]]);
    expect(await credential({ authorization: 'Bearer good-key' })).toBe('header');
    expect(await credential({ cookie: `${SESSION_COOKIE}=good-session` })).toBe('cookie');
    expect(await credential({ 'x-api-key': 'good-key', cookie: `${SESSION_COOKIE}=other` })).toBe('header');
  });

  it('sends page requests without a valid key to the login page, and answers 401 elsewhere', async () => {
    live = new Map([['good-key', alice]]);
    const pages = new Hono<ApiEnv>()
      .use('*', auth({ keys, sessions, isPage: (path) => path === '/page' }))
      .get('/page', (c) => c.text('page'))
      .get('/data', (c) => c.text('data'))
      .onError((error, c) => c.json((error as ApiError).toBody(), (error as ApiError).status));
    const missing = await pages.request('/page?x=1');
    expect(missing.status).toBe(303);
    expect(missing.headers.get('location')).toBe('/login?next=%2Fpage%3Fx%3D1');
    const unknown = await pages.request('/page', { headers: { cookie: `${SESSION_COOKIE}=nope` } });
    expect(unknown.status).toBe(303);
    expect((await pages.request('/page', { method: 'POST' })).status).toBe(401);
    expect((await pages.request('/data')).status).toBe(401);
    expect(
      await (await pages.request('/page', { headers: { cookie: `${SESSION_COOKIE}=good-session` } })).text(),
    ).toBe('page');
  });

  it('answers 401 without a key or with an unknown one', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer nope' },
      { authorization: 'Basic good-key' },
      // The cookie holds a session id: the key itself in it is no session.
      { cookie: `${SESSION_COOKIE}=good-key` },
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
    expect(verified).toEqual([hashApiKey('other-key'), hashApiKey('other-key')]);
  });
});
