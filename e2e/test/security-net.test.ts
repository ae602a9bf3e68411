import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@foreman/core/testing';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { type RunningSystem, startSystem } from './system.js';

/**
 * Issue 14's network cases against real processes (api and sync-worker) with three user keys:
 * SSRF through sync.fetch_url, Idempotency-Key, event streams per key, dashboard sessions, failed
 * authentication, and a 1,000-node workflow. Each case checks the other users' data after it.
 */
describe('security: network, sessions and submit paths', () => {
  let testDb: TestDatabase;
  let system: RunningSystem;
  const keys: Record<'ada' | 'bob' | 'cyd', string> = { ada: '', bob: '', cyd: '' };
  const hits: string[] = [];
  // A loopback "internal service": only `localhost` is allowed, by name, never its address.
  const internal = createServer((request, response) => {
    hits.push(request.url ?? '');
    const to = new URL(request.url ?? '/', 'http://x').searchParams.get('to');
    if (to) return void response.writeHead(302, { location: to }).end();
    response.writeHead(200).end('internal secret');
  });
  let port = 0;

  beforeAll(async () => {
    testDb = await createTestDatabase('e2e_security_net');
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
    port = (internal.address() as AddressInfo).port;
    system = await startSystem(
      { url: testDb.url, schema: testDb.schema },
      {
        workers: ['sync-worker'],
        env: {
          FETCH_ALLOWED_HOSTS: 'localhost',
          EVENT_STREAMS_PER_KEY: '3',
          AUTH_FAILURES_PER_MINUTE: '5',
          API_KEY_CACHE_MS: '120000',
          MAX_BODY_BYTES: '1048576',
        },
      },
    );
    for (const user of ['ada', 'bob', 'cyd'] as const) {
      const created = await system.api('/keys', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: user }),
      });
      keys[user] = ((await created.json()) as { key: string }).key;
    }
  }, 60_000);
  afterAll(async () => {
    await system?.stop();
    internal.closeAllConnections();
    await new Promise<void>((resolve) => internal.close(() => resolve()));
    await testDb?.drop();
  });

  const as = (user: keyof typeof keys, path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${keys[user]}`);
    if (init.body) headers.set('content-type', 'application/json');
    return fetch(`${system.baseUrl}${path}`, { ...init, headers });
  };
  const submit = async (user: keyof typeof keys, name: string, payload: unknown, idempotencyKey?: string) =>
    as(user, `/tasks/${name}`, {
      method: 'POST',
      body: JSON.stringify(payload),
      headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
    });
  const finished = (user: keyof typeof keys, taskId: string) =>
    waitFor(
      async () => {
        const record = (await (await as(user, `/tasks/${taskId}`)).json()) as {
          status: string;
          error: string | null;
          attempts: number;
        };
        return ['completed', 'failed'].includes(record.status) ? record : undefined;
      },
      { timeoutMs: 20_000, what: `task ${taskId} to finish` },
    );
  /** Bob's own view, taken before a case and compared after it. */
  const bobsTasks = async () =>
    ((await (await as('bob', '/tasks?limit=200')).json()) as { tasks: unknown[] }).tasks;

  it('refuses every loopback and private form in sync.fetch_url for good, and redirects into them', async () => {
    const bobBefore = await bobsTasks();
    const targets = [
      `http://127.0.0.1:${port}/`,
      `http://2130706433:${port}/`,
      `http://127.1:${port}/`,
      `http://0x7f.1:${port}/`,
      `http://0.0.0.0:${port}/`,
      `http://[::1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      `http://localhost:${port}/hop?to=${encodeURIComponent(`http://127.0.0.1:${port}/`)}`,
    ];
    const ids = [];
    for (const url of targets)
      ids.push(
        ((await (await submit('ada', 'sync.fetch_url', { url })).json()) as { taskId: string }).taskId,
      );
    for (const [index, taskId] of ids.entries()) {
      const record = await finished('ada', taskId);
      expect({ url: targets[index], status: record.status, attempts: record.attempts }).toEqual({
        url: targets[index],
        status: 'failed',
        attempts: 1,
      });
      expect(record.error).toMatch(/not a public address/);
    }
    // Only the allowed host's first hop was ever reached.
    expect(hits).toEqual([`/hop?to=${encodeURIComponent(`http://127.0.0.1:${port}/`)}`]);
    // The allowed host itself is fetched.
    const allowed = await finished(
      'ada',
      (
        (await (await submit('ada', 'sync.fetch_url', { url: `http://localhost:${port}/ok` })).json()) as {
          taskId: string;
        }
      ).taskId,
    );
    expect(allowed.status).toBe('completed');
    expect(await bobsTasks()).toEqual(bobBefore);
  });

  it('makes one task of 20 concurrent submits with one Idempotency-Key, per user', async () => {
    const bobBefore = await bobsTasks();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => submit('ada', 'maintenance.health_check', {}, 'net-e2e-once')),
    );
    const ids = new Set(
      await Promise.all(answers.map(async (answer) => ((await answer.json()) as { taskId: string }).taskId)),
    );
    expect(ids.size).toBe(1);
    const cyd = (await (await submit('cyd', 'maintenance.health_check', {}, 'net-e2e-once')).json()) as {
      taskId: string;
    };
    expect(ids.has(cyd.taskId)).toBe(false);
    expect((await as('cyd', `/tasks/${[...ids][0]}`)).status).toBe(404);
    expect(await bobsTasks()).toEqual(bobBefore);
  });

  it('caps event streams per key without touching another user’s', async () => {
    const open = () => Array.from({ length: 3 }, () => as('ada', '/events'));
    const streams = await Promise.all(open());
    expect(streams.map((stream) => stream.status)).toEqual([200, 200, 200]);
    const over = await as('ada', '/events');
    expect(over.status).toBe(429);
    expect(await over.json()).toMatchObject({ error: { code: 'TOO_MANY_STREAMS' } });
    const bob = await as('bob', '/events');
    expect(bob.status).toBe(200);
    for (const stream of [...streams, bob]) await stream.body?.cancel();
  });

  it('keeps only a session id in the dashboard cookie, and logout ends it', async () => {
    const login = await fetch(`${system.baseUrl}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: system.baseUrl },
      body: JSON.stringify({ key: keys.bob }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(cookie).toMatch(/^foreman_session=[\w-]{43}$/);
    expect(cookie).not.toContain(keys.bob);
    const me = () => fetch(`${system.baseUrl}/me`, { headers: { cookie } });
    expect(((await (await me()).json()) as { userId: string }).userId).toBe('bob');
    const logout = await fetch(`${system.baseUrl}/logout`, {
      method: 'POST',
      headers: { cookie, origin: system.baseUrl },
    });
    expect(logout.status).toBe(204);
    expect((await me()).status).toBe(401);
    // Bob's key itself still works.
    expect((await as('bob', '/me')).status).toBe(200);
  });

  it('submits a 1,000-node workflow with every root queued, visible to its user only', async () => {
    const nodes = Array.from({ length: 1_000 }, (_, index) =>
      index < 900
        ? { key: `root-${index}`, task: 'maintenance.health_check' }
        : { key: `leaf-${index}`, task: 'maintenance.health_check', dependsOn: [`root-${index - 900}`] },
    );
    const submitted = await as('cyd', '/workflows', {
      method: 'POST',
      body: JSON.stringify({ name: 'wide', nodes }),
    });
    expect(submitted.status).toBe(202);
    const { workflowId } = (await submitted.json()) as { workflowId: string };
    const view = (await (await as('cyd', `/workflows/${workflowId}`)).json()) as {
      nodes: Array<{ key: string; status: string }>;
    };
    const queued = view.nodes.filter((node) => node.status === 'queued').map((node) => node.key);
    expect(queued).toHaveLength(900);
    expect(queued.every((key) => key.startsWith('root-'))).toBe(true);
    expect((await as('ada', `/workflows/${workflowId}`)).status).toBe(404);
  });

  it('answers 429 to guessed keys from one address before any lookup; verified keys go on', async () => {
    // Failures count in fixed one-minute windows: start well inside one, so none resets midway.
    const intoWindow = Date.now() % 60_000;
    if (intoWindow > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_100 - intoWindow));
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 8; attempt += 1) {
      statuses.push(
        (await fetch(`${system.baseUrl}/me`, { headers: { authorization: `Bearer fm_guess_${attempt}` } }))
          .status,
      );
    }
    // Five failures a minute from this address, the logged-out cookie above among them.
    const refused = statuses.indexOf(429);
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(refused).toBeLessThanOrEqual(5);
    expect(statuses).toEqual([...Array(refused).fill(401), ...Array(8 - refused).fill(429)]);
    // Keys verified earlier (within API_KEY_CACHE_MS) still pass; the others' data is untouched.
    expect((await as('ada', '/me')).status).toBe(200);
    expect((await as('bob', '/tasks')).status).toBe(200);
  });
});
