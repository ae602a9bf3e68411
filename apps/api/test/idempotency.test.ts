import { QUEUES } from '@foreman/contracts';
import { eq, workflows } from '@foreman/db';
import { startTestApi, type TestApi } from './test-api.js';

describe('Idempotency-Key on the submit routes', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('api_idempotency');
  });
  afterAll(() => api.close());

  const post = (key: string, path: string, body: unknown, idempotencyKey?: string) =>
    api.call(key, path, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
    });
  const queued = async () => {
    const counts = await api.client.queue(QUEUES.maintenance).getJobCounts();
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  };

  it('makes one task of 20 concurrent submits with one key, and one per user', async () => {
    const before = await queued();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        post(api.aliceKey, '/tasks/maintenance.health_check', {}, 'submit-once'),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(202));
    const bodies = (await Promise.all(answers.map((answer) => answer.json()))) as Array<{ taskId: string }>;
    expect(new Set(bodies.map((body) => body.taskId)).size).toBe(1);
    expect(answers.filter((answer) => answer.headers.get('idempotent-replayed') === 'true')).toHaveLength(19);
    expect(await queued()).toBe(before + 1);

    // Bob's key is his own: the same key makes his own task, visible to him only.
    const bob = await post(api.bobKey, '/tasks/maintenance.health_check', {}, 'submit-once');
    const bobTask = ((await bob.json()) as { taskId: string }).taskId;
    expect(bobTask).not.toBe(bodies[0]?.taskId);
    expect(await queued()).toBe(before + 2);
    await api.projected();
    expect((await api.call(api.bobKey, `/tasks/${bodies[0]?.taskId}`)).status).toBe(404);
    expect(
      ((await (await api.call(api.bobKey, `/tasks/${bobTask}`)).json()) as { userId: string }).userId,
    ).toBe('bob');
  });

  it('answers a bulk submit once per key, whole', async () => {
    const body = {
      tasks: [
        { name: 'maintenance.health_check', payload: {} },
        { name: 'maintenance.health_check', payload: {} },
      ],
    };
    const before = await queued();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => post(api.aliceKey, '/tasks', body, 'bulk-1')),
    );
    const bodies = await Promise.all(answers.map((answer) => answer.json()));
    expect(answers.map((answer) => answer.status)).toEqual(Array(5).fill(202));
    for (const other of bodies) expect(other).toEqual(bodies[0]);
    expect(await queued()).toBe(before + 2);
  });

  it('submits a workflow once per key', async () => {
    const definition = {
      name: 'idempotent-flow',
      nodes: [{ key: 'only', task: 'maintenance.health_check' }],
    };
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => post(api.aliceKey, '/workflows', definition, 'flow-1')),
    );
    const ids = new Set(
      (await Promise.all(answers.map((answer) => answer.json()))).map(
        (body) => (body as { workflowId: string }).workflowId,
      ),
    );
    expect(ids.size).toBe(1);
    const rows = await api.testDb.database.db
      .select()
      .from(workflows)
      .where(eq(workflows.name, 'idempotent-flow'));
    expect(rows).toHaveLength(1);
  });

  it('refuses a malformed key, and a key reused for another request, changing nothing', async () => {
    const before = await queued();
    const malformed = await post(api.aliceKey, '/tasks/maintenance.health_check', {}, 'has space');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_INVALID' } });
    await post(api.aliceKey, '/tasks/maintenance.health_check', {}, 'reuse-me');
    const reused = await post(api.aliceKey, '/tasks/maintenance.health_check?priority=5', {}, 'reuse-me');
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    expect(await queued()).toBe(before + 1);
  });

  it('frees the key when the first request fails, so a corrected retry goes through', async () => {
    const bad = await post(
      api.aliceKey,
      '/tasks',
      { tasks: [{ name: 'no.such_task', payload: {} }] },
      'retry-me',
    );
    expect(bad.status).toBe(404);
    const good = await post(
      api.aliceKey,
      '/tasks',
      { tasks: [{ name: 'maintenance.health_check', payload: {} }] },
      'retry-me',
    );
    expect(good.status).toBe(202);
    expect(good.headers.get('idempotent-replayed')).toBeNull();
  });

  it('documents the header in the OpenAPI description', async () => {
    const response = await api.call(undefined, '/openapi.json');
    expect(response.status).toBe(200);
    const doc = (await response.json()) as {
      paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>>;
    };
    for (const [path, method] of [
      ['/tasks/{name}', 'post'],
      ['/tasks', 'post'],
      ['/workflows', 'post'],
    ] as const) {
      expect(doc.paths[path]?.[method]?.parameters).toContainEqual(
        expect.objectContaining({ name: 'idempotency-key', in: 'header' }),
      );
    }
  });
});
