import { count, tasks, workflows } from '@foreman/db';
import type { createApp } from '../src/app.js';
import { startTestApi, type TestApi } from './test-api.js';

const QUOTA = { limit: 5, windowMs: 60_000 };

describe('per-user submit quota', () => {
  let api: TestApi;
  /** A second api replica on the same Redis and database. */
  let replica: ReturnType<typeof createApp>;
  beforeAll(async () => {
    api = await startTestApi('api_quota', { submitQuota: QUOTA });
    replica = api.replica();
  });
  afterAll(() => api.close());

  const on = (app: ReturnType<typeof createApp>, key: string, path: string, body: unknown) =>
    app.request(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const one = (app: ReturnType<typeof createApp>, key: string) =>
    on(app, key, '/tasks/maintenance.health_check', {});
  const bulk = (app: ReturnType<typeof createApp>, key: string, n: number, payload: unknown = {}) =>
    on(app, key, '/tasks', {
      tasks: Array.from({ length: n }, () => ({ name: 'maintenance.health_check', payload })),
    });
  const queued = async () => {
    const counts = await api.client.queue('maintenance').getJobCounts('waiting', 'prioritized');
    return (counts.waiting ?? 0) + (counts.prioritized ?? 0);
  };
  const recorded = async () => {
    await api.projected();
    const [row] = await api.testDb.database.db.select({ n: count() }).from(tasks);
    return Number(row?.n);
  };

  it('counts each task across replicas, refuses a bulk over the quota whole, with Retry-After', async () => {
    for (let i = 0; i < 3; i++) expect((await one(api.app, api.aliceKey)).status).toBe(202);
    const before = { queued: await queued(), recorded: await recorded() };

    // Three more would make six: the whole request is refused and nothing is queued or recorded.
    const refused = await bulk(replica, api.aliceKey, 3);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await refused.json()).toEqual({
      error: {
        code: 'QUOTA_EXCEEDED',
        message: expect.stringContaining('quota of 5 tasks per 60 s'),
        details: { userId: 'alice', limit: 5, windowMs: 60_000, used: 3, requested: 3 },
      },
    });
    expect({ queued: await queued(), recorded: await recorded() }).toEqual(before);

    // Two fit, on the other replica; after that even one is refused, on either.
    expect((await bulk(replica, api.aliceKey, 2)).status).toBe(202);
    expect((await one(api.app, api.aliceKey)).status).toBe(429);
    expect((await one(replica, api.aliceKey)).status).toBe(429);
    // Another user has a quota of its own.
    expect((await one(api.app, api.bobKey)).status).toBe(202);
  });

  it('counts a workflow as many tasks as it has nodes, and stores none refused', async () => {
    const workflow = (nodes: number) => ({
      name: 'checks',
      nodes: Array.from({ length: nodes }, (_, i) => ({ key: `n${i}`, task: 'maintenance.health_check' })),
    });
    const carol = await api.keys.create({ userId: 'carol', label: 'carol' });
    const refused = await on(api.app, carol.key, '/workflows', workflow(6));
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('QUOTA_EXCEEDED');
    const [stored] = await api.testDb.database.db.select({ n: count() }).from(workflows);
    expect(Number(stored?.n)).toBe(0);

    expect((await on(api.app, carol.key, '/workflows', workflow(3))).status).toBe(202);
    // Three of five used: a workflow of three no longer fits, a single task still does.
    expect((await on(api.app, carol.key, '/workflows', workflow(3))).status).toBe(429);
    expect((await one(api.app, carol.key)).status).toBe(202);
  });

  it('gives back what a refused submit counted, and refuses a bulk larger than the quota', async () => {
    const invalid = await bulk(api.app, api.bobKey, 4, { unexpected: true });
    expect(invalid.status).toBe(400);
    // Bob used 1 in the test above; the refused four were given back, so four still fit.
    expect((await bulk(api.app, api.bobKey, 4)).status).toBe(202);
    const tooBig = await bulk(api.app, api.adminKey, 6);
    expect(tooBig.status).toBe(429);
    expect(((await tooBig.json()) as { error: { message: string } }).error.message).toContain(
      '6 tasks in one request exceed',
    );
  });
});
