import type { FairScheduler } from '@foreman/core';
import { ServiceMetrics } from '@foreman/metrics';
import { startTestApi, type TestApi } from './test-api.js';

describe('GET /fairness and the fairness gauges', () => {
  let api: TestApi;
  let fairness: FairScheduler;
  beforeAll(async () => {
    api = await startTestApi(
      'api_fairness',
      {},
      { env: { FAIRNESS: JSON.stringify({ email: { readyWindow: 2 }, sync: { readyWindow: 2 } }) } },
    );
    fairness = api.runtime.fairness;
  });
  afterAll(async () => {
    await api.close();
  });

  const get = async (key: string, path: string) => {
    const response = await api.call(key, path);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  /** User tasks of the two fair queues; no worker runs them. */
  const payloads: Record<string, unknown> = {
    'email.send_email': { to: ['someone@example.org'], subject: 'hi', text: 'hi' },
    'sync.fetch_url': { url: 'https://example.org/' },
  };
  const submit = (key: string, name: string, count: number) =>
    api.call(key, '/tasks', {
      method: 'POST',
      body: JSON.stringify({
        tasks: Array.from({ length: count }, () => ({ name, payload: payloads[name] })),
      }),
    });

  it('reports waiting, running and the oldest waiting age per user and queue', async () => {
    expect((await submit(api.aliceKey, 'email.send_email', 3)).status).toBe(202);
    expect((await submit(api.bobKey, 'email.send_email', 2)).status).toBe(202);
    expect((await submit(api.bobKey, 'sync.fetch_url', 1)).status).toBe(202);
    // No worker runs: one admission round takes one task of each user (ready window 2).
    expect((await fairness.dispatch('email')).jobs.map((job) => job.userId)).toEqual(['alice', 'bob']);
    const age = expect.any(Number);

    const all = await get(api.adminKey, '/fairness');
    expect(all).toEqual({
      status: 200,
      body: {
        queues: [
          {
            queue: 'email',
            users: [
              { userId: 'alice', waiting: 2, running: 1, oldestWaitingAgeMs: age },
              { userId: 'bob', waiting: 1, running: 1, oldestWaitingAgeMs: age },
            ],
          },
          { queue: 'sync', users: [{ userId: 'bob', waiting: 1, running: 0, oldestWaitingAgeMs: age }] },
          // Not in FAIRNESS, but its tasks declare a flow key (the model provider's).
          { queue: 'ai', users: [] },
        ],
      },
    });

    // A key sees its own user's rows only; admins may ask for one user.
    expect((await get(api.aliceKey, '/fairness')).body).toEqual({
      queues: [
        { queue: 'email', users: [{ userId: 'alice', waiting: 2, running: 1, oldestWaitingAgeMs: age }] },
        { queue: 'sync', users: [] },
        { queue: 'ai', users: [] },
      ],
    });
    expect((await get(api.adminKey, '/fairness?queue=sync&userId=bob')).body).toEqual({
      queues: [
        { queue: 'sync', users: [{ userId: 'bob', waiting: 1, running: 0, oldestWaitingAgeMs: age }] },
      ],
    });
    expect((await get(api.aliceKey, '/fairness?userId=bob')).status).toBe(403);
    const notFair = await get(api.adminKey, '/fairness?queue=file');
    expect(notFair).toMatchObject({ status: 404, body: { error: { code: 'QUEUE_NOT_FAIR' } } });
  });

  it('exports the same figures as Prometheus gauges per queue and user', async () => {
    const metrics = new ServiceMetrics({ service: 'api-test', fairness });
    try {
      const text = await metrics.registry.scrape();
      const value = (name: string, queue: string, user: string) =>
        Number(
          text.match(new RegExp(`^${name}\\{[^}]*queue="${queue}",user="${user}"[^}]*\\} (\\S+)`, 'm'))?.[1],
        );
      expect(value('foreman_fair_waiting_tasks', 'email', 'alice')).toBe(2);
      expect(value('foreman_fair_running_tasks', 'email', 'alice')).toBe(1);
      expect(value('foreman_fair_waiting_tasks', 'sync', 'bob')).toBe(1);
      expect(value('foreman_fair_oldest_waiting_seconds', 'email', 'bob')).toBeGreaterThanOrEqual(0);
    } finally {
      await metrics.close();
    }
  });

  it('cancels a task still waiting for admission: withdrawn there, never admitted', async () => {
    const response = await submit(api.bobKey, 'sync.fetch_url', 1);
    const {
      tasks: [submitted],
    } = (await response.json()) as { tasks: Array<{ taskId: string }> };
    const taskId = submitted!.taskId;
    const cancel = await api.call(api.bobKey, `/tasks/${taskId}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(200);
    expect(await cancel.json()).toEqual({ taskId, status: 'cancelled', was: 'waiting' });
    // Bob's earlier sync task still waits; the cancelled one left the waiting list.
    expect((await get(api.bobKey, '/fairness?queue=sync')).body).toEqual({
      queues: [
        {
          queue: 'sync',
          users: [{ userId: 'bob', waiting: 1, running: 0, oldestWaitingAgeMs: expect.any(Number) }],
        },
      ],
    });
    const admitted = await fairness.dispatch('sync');
    expect(admitted.jobs.map((job) => job.taskId)).not.toContain(taskId);
    expect(admitted.jobs).toHaveLength(1);
  });
});
