import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestRedis, type TestRedis, waitFor } from '@foreman/core/testing';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { Queue } from 'bullmq';
import { type RunningSystem, startSystem } from './system.js';

/**
 * Issue 14, items 1 and 11 to 14, as a user key would send them against the api and ai-worker
 * processes, with another user's work checked after each: one NUL must never stop task records
 * for everyone.
 */
describe('security: task records', () => {
  let testDb: TestDatabase;
  let system: RunningSystem;
  let model: Server;
  let redis: TestRedis;
  /** What the scripted model answers to every prompt, and with which status. */
  let modelAnswer = 'Paris';
  let modelStatus = 200;
  const keys = { alice: '', bob: '' };

  beforeAll(async () => {
    model = createServer((request, response) => {
      request.resume().on('end', () => {
        response.writeHead(modelStatus, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            model: 'test-model',
            choices: [{ message: { role: 'assistant', content: modelAnswer } }],
            usage: { prompt_tokens: 1, completion_tokens: 1 },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
    testDb = await createTestDatabase('e2e_sec_records');
    redis = await createTestRedis('e2e-sec-records');
    system = await startSystem(
      { url: testDb.url, schema: testDb.schema },
      {
        redis,
        workers: ['ai-worker'],
        // The worker stores the records, so its /health shows what it quarantined.
        projector: 'workers',
        env: { AI_BASE_URL: `http://127.0.0.1:${(model.address() as AddressInfo).port}/v1` },
      },
    );
    for (const user of ['alice', 'bob'] as const) {
      const created = await system.api('/keys', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: user }),
      });
      keys[user] = ((await created.json()) as { key: string }).key;
    }
  });
  afterAll(async () => {
    await system?.stop();
    await new Promise((resolve) => model?.close(resolve));
    await testDb?.drop();
  });

  const as = (user: keyof typeof keys, path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${system.baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${keys[user]}`, 'content-type': 'application/json' },
      ...(init.body === undefined
        ? {}
        : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
    });
  const record = async (user: keyof typeof keys, taskId: string) =>
    (await (await as(user, `/tasks/${taskId}`)).json()) as Record<string, unknown>;
  const settled = (user: keyof typeof keys, taskId: string, status: string) =>
    waitFor(
      async () => {
        const found = await record(user, taskId);
        return found.status === status ? found : undefined;
      },
      { timeoutMs: 30_000, what: `task ${taskId} to be ${status}` },
    );

  /** Bob's work after each attack: a delayed task is visible, cancellable and recorded cancelled. */
  const bobStillServed = async () => {
    const submitted = await as('bob', '/tasks/ai.complete_prompt?delayMs=600000', {
      body: { prompt: 'later' },
      method: 'POST',
    });
    expect(submitted.status).toBe(202);
    const { taskId } = (await submitted.json()) as { taskId: string };
    await settled('bob', taskId, 'pending');
    const cancelled = await as('bob', `/tasks/${taskId}/cancel`, { method: 'POST' });
    expect(await cancelled.json()).toMatchObject({ status: 'cancelled' });
    await settled('bob', taskId, 'cancelled');
  };

  it('refuses NUL at the edge on every route, naming the field, and keeps serving other users', async () => {
    const attacks: Array<{ path: string; method?: string; body?: unknown; code: string; field: string }> = [
      {
        path: '/tasks/ai.complete_prompt',
        method: 'POST',
        body: '{"prompt":"hi\\u0000there"}',
        code: 'PAYLOAD_INVALID',
        field: 'prompt',
      },
      {
        path: '/tasks',
        method: 'POST',
        body: {
          tasks: [
            { name: 'ai.complete_prompt', payload: { prompt: 'ok' } },
            { name: 'ai.complete_prompt', payload: { prompt: 'x\u0000' } },
          ],
        },
        code: 'PAYLOAD_INVALID',
        field: 'tasks.1.payload.prompt',
      },
      { path: '/tasks?name=a%00b', code: 'QUERY_INVALID', field: 'name' },
      { path: '/tasks/%00', code: 'PARAM_INVALID', field: 'id' },
      {
        path: '/schedules',
        method: 'POST',
        body: {
          id: 'nul',
          task: 'ai.complete_prompt',
          payload: { prompt: 'x' },
          everyMs: 3_600_000,
          description: 'd\u0000',
        },
        code: 'BODY_INVALID',
        field: 'description',
      },
      {
        path: '/workflows',
        method: 'POST',
        body: {
          name: 'w\u0000',
          nodes: [{ key: 'a', task: 'ai.complete_prompt', payload: { prompt: 'x' } }],
        },
        code: 'BODY_INVALID',
        field: 'name',
      },
    ];
    for (const attack of attacks) {
      const response = await as('alice', attack.path, attack);
      const body = (await response.json()) as { error: { code: string; details?: Array<{ path: string }> } };
      expect({
        path: attack.path,
        status: response.status,
        code: body.error.code,
        field: body.error.details?.[0]?.path,
      }).toEqual({
        path: attack.path,
        status: 400,
        code: attack.code,
        field: attack.field,
      });
      await bobStillServed();
    }
  });

  it("stores a model reply holding NUL without it; the next user's task is recorded", async () => {
    modelAnswer = 'Par\u0000is';
    const submitted = await as('alice', '/tasks/ai.complete_prompt', {
      method: 'POST',
      body: { prompt: 'Capital?' },
    });
    const { taskId } = (await submitted.json()) as { taskId: string };
    expect((await settled('alice', taskId, 'completed')).result).toMatchObject({ answer: 'Paris' });
    modelAnswer = 'fine';
    const bob = await as('bob', '/tasks/ai.complete_prompt', { method: 'POST', body: { prompt: 'Hi' } });
    await settled('bob', ((await bob.json()) as { taskId: string }).taskId, 'completed');
    await bobStillServed();
  });

  it('quarantines a row the database refuses and shows it on /health and /metrics; others still land', async () => {
    // A job queued around the api (as before the fix): the worker's records of it cannot be stored.
    const queue = new Queue('ai', { connection: redis.redis, prefix: redis.prefix });
    await queue.add('ai.complete_prompt', { payload: { prompt: 'x' }, userId: 'ali\u0000ce' });
    await queue.close();
    const worker = system.apps[1]!;
    const started = worker.logs
      .map((line) => JSON.parse(line) as { msg?: string; healthPort?: number })
      .find((line) => line.msg === 'worker started');
    const healthUrl = `http://127.0.0.1:${started!.healthPort}`;
    const health = await waitFor(
      async () => {
        const body = (await (await fetch(`${healthUrl}/health`)).json()) as {
          status: string;
          records: { quarantined: number };
        };
        return body.records.quarantined > 0 ? body : undefined;
      },
      { timeoutMs: 30_000, what: 'the worker to quarantine the row' },
    );
    expect(health.status).toBe('ok');
    expect(await (await fetch(`${healthUrl}/metrics`)).text()).toMatch(
      /^foreman_records_quarantined_total [1-9]/m,
    );
    const bob = await as('bob', '/tasks/ai.complete_prompt', { method: 'POST', body: { prompt: 'after' } });
    await settled('bob', ((await bob.json()) as { taskId: string }).taskId, 'completed');
    await bobStillServed();
  });

  it("refuses a priority above BullMQ's bound and query parameters the route does not take", async () => {
    const priority = await as('alice', '/tasks/ai.complete_prompt?priority=2097152', {
      method: 'POST',
      body: { prompt: 'x' },
    });
    expect(priority.status).toBe(400);
    const admin = await system.api('/tasks?userId=zed', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tasks: [{ name: 'ai.complete_prompt', payload: { prompt: 'x' } }] }),
    });
    expect(admin.status).toBe(400);
    expect((await (await system.api('/tasks?userId=zed')).json()) as { tasks: unknown[] }).toMatchObject({
      tasks: [],
    });
    await bobStillServed();
  });

  it("keeps schedule ids per user: another user's id is no conflict and leaves theirs alone", async () => {
    const body = { id: 'digest', task: 'ai.complete_prompt', payload: { prompt: 'x' }, everyMs: 3_600_000 };
    expect((await as('alice', '/schedules', { method: 'POST', body })).status).toBe(201);
    const bobs = await as('bob', '/schedules', { method: 'POST', body: { ...body, description: 'bob' } });
    expect(bobs.status).toBe(201);
    expect(await (await as('alice', '/schedules/digest')).json()).toMatchObject({
      ownerUserId: 'alice',
      description: '',
    });
    await bobStillServed();
  });

  it('shows stack traces to admins only, and does not retry what cannot succeed', async () => {
    modelStatus = 400;
    const submitted = await as('alice', '/tasks/ai.complete_prompt', {
      method: 'POST',
      body: { prompt: 'x' },
    });
    const { taskId } = (await submitted.json()) as { taskId: string };
    const failed = await settled('alice', taskId, 'failed');
    modelStatus = 200;
    expect(failed).toMatchObject({ attempts: 1, stackTrace: null });
    const seenByAdmin = (await (await system.api(`/tasks/${taskId}`)).json()) as { stackTrace: string };
    expect(seenByAdmin.stackTrace).toMatch(/\n\s+at /);
    await bobStillServed();
  });
});
