import { createRegistry } from '@foreman/contracts';
import { startTestApi, type TestApi } from './test-api.js';

const COOKIE = 'foreman_session';

describe('dashboard pages, static files and Bull Board', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('api_dashboard_pages');
  });
  afterAll(() => api.close());

  /** A session cookie of `key`, from a real sign-in; an unknown key gets a made-up session id. */
  const sessionOf = async (key: string) => {
    const login = await api.app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://localhost' },
      body: JSON.stringify({ key }),
    });
    const id = login.headers.get('set-cookie')?.match(new RegExp(`${COOKIE}=([^;]+)`))?.[1];
    return `${COOKIE}=${id ?? 'A'.repeat(43)}`;
  };
  const get = async (path: string, key?: string, headers: Record<string, string> = {}) =>
    api.app.request(path, { headers: { ...(key ? { cookie: await sessionOf(key) } : {}), ...headers } });

  it('sends a browser without a session to the login page, keeping where it wanted to go', async () => {
    for (const [path, next] of [
      ['/dashboard', '/dashboard'],
      ['/admin/queues', '/admin/queues'],
      ['/admin/queues/queue/maintenance?status=failed', '/admin/queues/queue/maintenance?status=failed'],
    ] as const) {
      const response = await get(path);
      expect({ path, status: response.status, location: response.headers.get('location') }).toEqual({
        path,
        status: 303,
        location: `/login?next=${encodeURIComponent(next)}`,
      });
    }
    const stale = await get('/dashboard', 'fm_unknown_key_00000000000000000000');
    expect(stale.status).toBe(303);
    // Data routes still answer 401, never a redirect.
    expect((await get('/tasks')).status).toBe(401);
    expect((await get('/')).headers.get('location')).toBe('/dashboard');
  });

  it('serves the login page to anyone and the dashboard to a session, both under a strict CSP', async () => {
    const loginPage = await get('/login');
    expect(loginPage.status).toBe(200);
    expect(loginPage.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await loginPage.text()).toContain('/dashboard/assets/login.js');
    const page = await get('/dashboard', api.aliceKey);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/dashboard/assets/app.js');
    for (const response of [loginPage, page]) {
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('serves the scripts, styles and chart library without a session, and nothing else', async () => {
    for (const [path, type] of [
      ['/dashboard/assets/app.js', 'text/javascript; charset=utf-8'],
      ['/dashboard/assets/views/task.js', 'text/javascript; charset=utf-8'],
      ['/dashboard/assets/style.css', 'text/css; charset=utf-8'],
      ['/dashboard/assets/vendor/uPlot.esm.js', 'text/javascript; charset=utf-8'],
      ['/dashboard/assets/vendor/uPlot.min.css', 'text/css; charset=utf-8'],
      ['/dashboard/assets/favicon.svg', 'image/svg+xml'],
    ] as const) {
      const response = await get(path);
      expect({ path, status: response.status, type: response.headers.get('content-type') }).toEqual({
        path,
        status: 200,
        type,
      });
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
    const script = await get('/dashboard/assets/app.js');
    const etag = script.headers.get('etag')!;
    expect((await get('/dashboard/assets/app.js', undefined, { 'if-none-match': etag })).status).toBe(304);

    for (const path of [
      '/dashboard/assets/nope.js',
      '/dashboard/assets/..%2f..%2fpackage.json',
      '/dashboard/assets/index.html',
    ]) {
      const response = await get(path);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
    }
    // A URL that climbs out of the assets is normalised first: it leaves the public part.
    for (const path of [
      '/dashboard/assets/../../package.json',
      '/dashboard/assets/%2e%2e/%2e%2e/package.json',
    ]) {
      expect({ path, status: (await get(path)).status }).toEqual({ path, status: 401 });
    }
  });

  it('keeps Bull Board from non-admin keys', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const response = await get(path, api.aliceKey);
      expect({ path, status: response.status, body: await response.json() }).toEqual({
        path,
        status: 403,
        body: { error: { code: 'FORBIDDEN', message: 'This needs an admin api key' } },
      });
    }
    expect((await api.call(api.bobKey, '/admin/queues/api/queues')).status).toBe(403);
    expect((await api.call(undefined, '/admin/queues/api/queues')).status).toBe(401);
  });

  it('shows Bull Board to admins: its page, its files, and every registry queue in its api', async () => {
    const page = await get('/admin/queues', api.adminKey);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Foreman queues');
    expect(html).toContain('<base href="/admin/queues/"');
    const script = html.match(/src="(static\/js\/main\.[^"]+\.js)"/)?.[1];
    expect(script).toBeDefined();
    const asset = await get(`/admin/queues/${script}`, api.adminKey);
    expect(asset.status).toBe(200);
    expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(1_000);

    const response = await api.call(api.adminKey, '/admin/queues/api/queues');
    expect(response.status).toBe(200);
    const { queues } = (await response.json()) as { queues: Array<{ name: string; readOnlyMode: boolean }> };
    expect(queues.map((queue) => queue.name).sort()).toEqual([...createRegistry().queues()].sort());
    expect(queues.every((queue) => queue.readOnlyMode)).toBe(true);
  });
});
