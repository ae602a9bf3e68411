import type { ApiKeyStore } from '@foreman/db';
import { startTestApi, type TestApi } from './test-api.js';

describe('failed authentication is rate-limited per client address', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('api_auth_failures');
  });
  afterAll(() => api.close());

  it('answers 429 past the limit before any database lookup; verified keys still pass', async () => {
    let lookups = 0;
    const counting = {
      verifyHash: (hash: string) => {
        lookups += 1;
        return api.keys.verifyHash(hash);
      },
      verify: (key: string) => {
        lookups += 1;
        return api.keys.verify(key);
      },
    } as unknown as ApiKeyStore;
    const app = api.replica({ keys: counting, authFailuresPerMinute: 5, apiKeyCacheMs: 60_000 });
    const me = (key: string) => app.request('/me', { headers: { authorization: `Bearer ${key}` } });
    // Alice's key is verified (and cached) before the flood.
    expect((await me(api.aliceKey)).status).toBe(200);
    lookups = 0;

    // Failures count in fixed one-minute windows: start well inside one, so none resets midway.
    const intoWindow = Date.now() % 60_000;
    if (intoWindow > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_100 - intoWindow));
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 20; attempt += 1) statuses.push((await me(`fm_guess_${attempt}`)).status);
    expect(statuses).toEqual([...Array(5).fill(401), ...Array(15).fill(429)]);
    expect(lookups).toBe(5);
    const limited = await me('fm_guess_more');
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await limited.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });

    // Sign-in guesses count against the same address.
    const login = await app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://localhost' },
      body: JSON.stringify({ key: 'fm_guess_login' }),
    });
    expect(login.status).toBe(429);
    expect(lookups).toBe(5);

    // A key already verified is no guess: it goes on working.
    expect((await me(api.aliceKey)).status).toBe(200);
  });
});
