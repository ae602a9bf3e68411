import { QUEUES } from '@foreman/contracts';
import { createLogger } from '@foreman/logger';
import { startTestApi, type TestApi } from './test-api.js';

const ORIGIN = 'http://localhost';
const COOKIE = 'foreman_session';

describe('dashboard sign-in, session cookie and CSRF guard', () => {
  let api: TestApi;
  /** Every line the api logs, at the most verbose level. */
  const logLines: string[] = [];
  beforeAll(async () => {
    api = await startTestApi('api_dashboard_session', {
      trustedOrigins: ['https://ops.example.com'],
      logger: createLogger('api', {
        level: 'trace',
        destination: { write: (line: string) => logLines.push(line) },
      }),
    });
  });
  afterAll(() => api.close());

  const login = (key: string, headers: Record<string, string> = {}) =>
    api.app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN, ...headers },
      body: JSON.stringify({ key }),
    });
  /** The session cookie a good login sets, as a Cookie header. */
  const session = async (key: string) => {
    const response = await login(key);
    expect(response.status).toBe(200);
    return (response.headers.get('set-cookie') ?? '').split(';')[0] as string;
  };
  const withCookie = (cookie: string, path: string, init: RequestInit = {}) =>
    api.app.request(path, { ...init, headers: { cookie, ...(init.headers as Record<string, string>) } });

  it('refuses an unknown key with the one error shape, setting no cookie and echoing nothing', async () => {
    const response = await login('fm_not_a_real_key_at_all_0123456789');
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBeNull();
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      error: { code: 'UNAUTHENTICATED', message: 'Unknown or revoked api key' },
    });
    expect(text).not.toContain('fm_not_a_real_key');
  });

  it('refuses a malformed body with 400', async () => {
    for (const body of ['{"key":""}', '{"key":"k","extra":1}', 'not json', '[]']) {
      const response = await api.app.request('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: ORIGIN },
        body,
      });
      expect({ body, status: response.status, cookie: response.headers.get('set-cookie') }).toEqual({
        body,
        status: 400,
        cookie: null,
      });
    }
  });

  it('signs in with a good key: HttpOnly, SameSite=Strict cookie for the whole site, no key in the body', async () => {
    const response = await login(api.aliceKey);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ userId: 'alice', admin: false });
    expect(text).not.toContain(api.aliceKey);
    const cookie = response.headers.get('set-cookie') ?? '';
    // Only a random session id, never the key.
    expect(cookie).toMatch(new RegExp(`^${COOKIE}=[A-Za-z0-9_-]{43};`));
    expect(cookie).not.toContain(api.aliceKey);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Max-Age=43200/);
    expect(cookie).not.toMatch(/Secure/);
  });

  it('marks the cookie Secure when the request came over https', async () => {
    const direct = await api.app.request('https://localhost/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://localhost' },
      body: JSON.stringify({ key: api.bobKey }),
    });
    expect(direct.headers.get('set-cookie')).toMatch(/Secure/);
    const proxied = await login(api.bobKey, { 'x-forwarded-proto': 'https' });
    expect(proxied.headers.get('set-cookie')).toMatch(/Secure/);
  });

  it('treats the cookie exactly like the header: same identity, same user scoping', async () => {
    const alice = await session(api.aliceKey);
    const bob = await session(api.bobKey);
    const submitted = await api.call(api.aliceKey, '/tasks/maintenance.health_check', {
      method: 'POST',
      body: '{}',
    });
    const { taskId } = (await submitted.json()) as { taskId: string };
    await api.projected();

    for (const path of ['/me', `/tasks/${taskId}`, '/tasks?limit=200']) {
      const byHeader = await api.call(api.aliceKey, path);
      const byCookie = await withCookie(alice, path);
      expect({ path, status: byCookie.status, body: await byCookie.json() }).toEqual({
        path,
        status: byHeader.status,
        body: await byHeader.json(),
      });
    }
    const hidden = await withCookie(bob, `/tasks/${taskId}`);
    expect(hidden.status).toBe(404);
    expect(((await hidden.json()) as { error: { code: string } }).error.code).toBe('TASK_NOT_FOUND');
    const forbidden = await withCookie(bob, '/tasks?userId=alice');
    expect(forbidden.status).toBe(403);
    const unknown = await withCookie(`${COOKIE}=fm_revoked_or_unknown_key_000000000`, '/me');
    expect(unknown.status).toBe(401);
  });

  it('rejects cookie-authenticated state changes from another origin or without one, and lets the own origin through', async () => {
    const alice = await session(api.aliceKey);
    const submit = (headers: Record<string, string>) =>
      withCookie(alice, '/tasks/maintenance.health_check', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{}',
      });
    const waitingBefore = await api.client.queue(QUEUES.maintenance).getWaitingCount();
    for (const headers of [
      {} as Record<string, string>,
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { referer: 'https://evil.example/page' },
      { origin: 'http://localhost.evil.example' },
    ]) {
      const response = await submit(headers);
      expect({ headers, status: response.status, body: await response.json() }).toEqual({
        headers,
        status: 403,
        body: {
          error: {
            code: 'CROSS_ORIGIN_REJECTED',
            message:
              'A request authenticated by the dashboard session must come from the dashboard’s own origin',
          },
        },
      });
    }
    expect(await api.client.queue(QUEUES.maintenance).getWaitingCount()).toBe(waitingBefore);

    expect((await submit({ origin: ORIGIN })).status).toBe(202);
    expect((await submit({ referer: `${ORIGIN}/dashboard` })).status).toBe(202);
    expect((await submit({ origin: 'https://ops.example.com' })).status).toBe(202);
    // A key header is no browser's doing: no origin needed, even with a cookie beside it.
    const scripted = await api.app.request('/tasks/maintenance.health_check', {
      method: 'POST',
      headers: { authorization: `Bearer ${api.aliceKey}`, cookie: alice, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(scripted.status).toBe(202);
    // Reads need no origin.
    expect((await withCookie(alice, '/tasks')).status).toBe(200);
  });

  it('refuses a login posted from another site (login CSRF)', async () => {
    const response = await login(api.aliceKey, { origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('signs out by ending the session on the server: a kept copy of the cookie stops working', async () => {
    const alice = await session(api.aliceKey);
    const other = await session(api.aliceKey);
    expect((await withCookie(alice, '/me')).status).toBe(200);
    const response = await withCookie(alice, '/logout', { method: 'POST', headers: { origin: ORIGIN } });
    expect(response.status).toBe(204);
    const cleared = response.headers.get('set-cookie') ?? '';
    expect(cleared).toMatch(new RegExp(`^${COOKIE}=;`));
    expect(cleared).toMatch(/Max-Age=0/);
    const replayed = await withCookie(alice, '/me');
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toEqual({
      error: { code: 'UNAUTHENTICATED', message: 'The session has ended; sign in again' },
    });
    // Only that session ended: another sign-in of the same key goes on.
    expect((await withCookie(other, '/me')).status).toBe(200);
  });

  it('ends sessions when they expire or their key is revoked, on every replica', async () => {
    const shortLived = api.replica({ sessionCookie: { secure: 'auto', maxAgeSeconds: 1 }, apiKeyCacheMs: 1 });
    const signIn = await shortLived.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN },
      body: JSON.stringify({ key: api.bobKey }),
    });
    const bob = (signIn.headers.get('set-cookie') ?? '').split(';')[0] as string;
    // Redis holds the session, so the first api knows it too.
    expect((await withCookie(bob, '/me')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await withCookie(bob, '/me')).status).toBe(401);

    const created = await api.keys.create({ userId: 'carol' });
    const carol = await session(created.key);
    const strict = api.replica({ apiKeyCacheMs: 1 });
    expect((await strict.request('/me', { headers: { cookie: carol } })).status).toBe(200);
    await api.keys.revoke(created.id);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await strict.request('/me', { headers: { cookie: carol } })).status).toBe(401);
  });

  it('keeps neither the key nor the session id in Redis', async () => {
    const alice = await session(api.aliceKey);
    const id = alice.split('=')[1] as string;
    const stored = await api.redis.redis.keys(`${api.redis.prefix}:session:*`);
    expect(stored.length).toBeGreaterThan(0);
    for (const key of stored) {
      expect(key).not.toContain(id);
      expect(await api.redis.redis.get(key)).not.toContain(api.aliceKey);
    }
  });

  it('never logs a key, good or bad', () => {
    const logged = logLines.join('');
    for (const key of [api.aliceKey, api.bobKey, 'fm_not_a_real_key', 'fm_revoked_or_unknown_key']) {
      expect(logged).not.toContain(key);
    }
  });
});
