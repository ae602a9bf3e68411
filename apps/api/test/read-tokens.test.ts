import { ReadTokens } from '../src/read-tokens/read-tokens.js';
import { SseClient } from './sse-client.js';
import { startTestApi, type TestApi } from './test-api.js';

const SECRET = 'read-token-secret-for-tests-0123456789';
const FRONTEND = 'https://app.example.test';

describe('read tokens for browsers', () => {
  let api: TestApi;
  const opened: SseClient[] = [];
  beforeAll(async () => {
    api = await startTestApi('api_read_tokens', {
      readTokens: new ReadTokens({ secret: SECRET }),
      corsOrigins: [FRONTEND],
    });
  });
  afterAll(async () => {
    await Promise.all(opened.map((client) => client.close()));
    await api.close();
  });

  const submit = async (key: string) => {
    const response = await api.call(key, '/tasks/sync.fetch_url', {
      method: 'POST',
      body: JSON.stringify({ url: 'https://example.org/' }),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { taskId: string }).taskId;
  };
  const tokenFor = async (key: string, path: string) => {
    const response = await api.call(key, path, { method: 'POST' });
    expect(response.status).toBe(201);
    return (await response.json()) as { token: string; expiresAt: string };
  };
  const codeOf = async (response: Response) =>
    ((await response.json()) as { error: { code: string } }).error.code;

  it("reads its own task and that task's events, and nothing else", async () => {
    const taskId = await submit(api.aliceKey);
    const other = await submit(api.aliceKey);
    const { token, expiresAt } = await tokenFor(api.aliceKey, `/tasks/${taskId}/token`);
    expect(token).toMatch(/^fmr_/);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(800_000);

    const task = await api.call(token, `/tasks/${taskId}`);
    expect(task.status).toBe(200);
    expect(await task.json()).toMatchObject({ id: taskId, userId: 'alice' });
    const events = await api.call(token, `/events?taskId=${taskId}`);
    expect(events.status).toBe(200);
    const stream = new SseClient(events);
    opened.push(stream);
    expect((await stream.next()).event).toBe('ready');

    for (const path of [
      `/tasks/${other}`,
      '/tasks',
      `/events?taskId=${other}`,
      '/events',
      `/events?taskId=${taskId}&userId=bob`,
      '/queues',
      '/me',
    ]) {
      const response = await api.call(token, path);
      expect({ path, status: response.status, code: await codeOf(response) }).toEqual({
        path,
        status: 403,
        code: 'READ_TOKEN_SCOPE',
      });
    }
  });

  it('can never submit, cancel, retry or mint another token', async () => {
    const taskId = await submit(api.aliceKey);
    const { token } = await tokenFor(api.aliceKey, `/tasks/${taskId}/token`);
    for (const [path, body] of [
      ['/tasks/sync.fetch_url', JSON.stringify({ url: 'https://example.org/' })],
      ['/tasks', JSON.stringify({ tasks: [] })],
      [`/tasks/${taskId}/cancel`, undefined],
      [`/tasks/${taskId}/retry`, undefined],
      [`/tasks/${taskId}/token`, undefined],
      ['/events/token', undefined],
    ] as const) {
      const response = await api.call(token, path, { method: 'POST', body });
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
    }
    const record = await api.call(api.aliceKey, `/tasks/${taskId}`);
    expect(await record.json()).toMatchObject({ status: 'pending' });
  });

  it('is minted only for a task the key may see, and not for a system task', async () => {
    const taskId = await submit(api.aliceKey);
    const refused = await api.call(api.bobKey, `/tasks/${taskId}/token`, { method: 'POST' });
    expect(refused.status).toBe(404);
    // An admin mints for the task's owner: the token reads as alice.
    const { token } = await tokenFor(api.adminKey, `/tasks/${taskId}/token`);
    const read = await api.call(token, `/tasks/${taskId}`);
    expect(await read.json()).toMatchObject({ id: taskId, userId: 'alice' });
    // Submitted by a service (as beat does), not for any user.
    const { taskId: systemTask } = await api.client.submit('maintenance.health_check', {});
    const forbidden = await api.call(api.adminKey, `/tasks/${systemTask}/token`, { method: 'POST' });
    expect({ status: forbidden.status, code: await codeOf(forbidden) }).toEqual({
      status: 403,
      code: 'TASK_FORBIDDEN',
    });
  });

  it('is refused once expired, or when altered or signed with another secret', async () => {
    const taskId = await submit(api.aliceKey);
    const grant = { userId: 'alice', scope: { kind: 'task' as const, id: taskId } };
    // Minted 20 minutes ago with the api's secret: its 15 minutes are over.
    const past = Date.now() - 20 * 60_000;
    const expired = await new ReadTokens({ secret: SECRET, now: () => past }).mint(grant);
    const forged = await new ReadTokens({ secret: `${SECRET}-other` }).mint(grant);
    const valid = (await tokenFor(api.aliceKey, `/tasks/${taskId}/token`)).token;
    const [header, payload, signature] = valid.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const altered = [
      header,
      Buffer.from(JSON.stringify({ ...claims, sub: 'bob' })).toString('base64url'),
      signature,
    ].join('.');
    for (const token of [expired.token, forged.token, altered]) {
      const response = await api.call(token, `/tasks/${taskId}`);
      expect({ status: response.status, code: await codeOf(response) }).toEqual({
        status: 401,
        code: 'READ_TOKEN_INVALID',
      });
    }
  });

  it('scopes a workflow token to its run and a user token to its user’s events', async () => {
    const submitted = await api.call(api.aliceKey, '/workflows', {
      method: 'POST',
      body: JSON.stringify({
        name: 'one-node',
        nodes: [{ key: 'fetch', task: 'sync.fetch_url', payload: { url: 'https://example.org/' } }],
      }),
    });
    expect(submitted.status).toBe(202);
    const { workflowId } = (await submitted.json()) as { workflowId: string };
    const { token: workflowToken } = await tokenFor(api.aliceKey, `/workflows/${workflowId}/token`);
    expect((await api.call(workflowToken, `/workflows/${workflowId}`)).status).toBe(200);
    expect((await api.call(workflowToken, '/workflows')).status).toBe(403);

    const { token: userToken } = await tokenFor(api.bobKey, '/events/token');
    const own = await api.call(userToken, '/events');
    expect(own.status).toBe(200);
    const stream = new SseClient(own);
    opened.push(stream);
    const ready = await stream.next();
    expect(JSON.parse(ready.data)).toMatchObject({ userId: 'bob', admin: false });
    expect((await api.call(userToken, '/events?userId=alice')).status).toBe(403);
    expect((await api.call(userToken, '/tasks')).status).toBe(403);
  });

  it('answers CORS preflights and reads for the configured origins only', async () => {
    const preflight = (origin: string) =>
      api.call(undefined, '/tasks/some-id', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization,last-event-id',
        },
      });
    const allowed = await preflight(FRONTEND);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(FRONTEND);
    expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('last-event-id');
    const other = await preflight('https://evil.example.test');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    const taskId = await submit(api.aliceKey);
    const { token } = await tokenFor(api.aliceKey, `/tasks/${taskId}/token`);
    const read = await api.call(token, `/tasks/${taskId}`, { headers: { origin: FRONTEND } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBe(FRONTEND);
  });

  it('is not minted when the api has no secret', async () => {
    const taskId = await submit(api.aliceKey);
    const without = api.replica({ readTokens: undefined });
    const response = await without.request(`/tasks/${taskId}/token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.aliceKey}` },
    });
    expect({ status: response.status, code: await codeOf(response) }).toEqual({
      status: 404,
      code: 'READ_TOKENS_DISABLED',
    });
  });
});
