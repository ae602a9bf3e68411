import type { FairScheduler } from '@foreman/core';
import { waitFor } from '@foreman/core/testing';
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
    'ai.complete_prompt': { prompt: 'hi' },
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

  it('lists busy and paused flow keys in GET /queues and as gauges, until the pause ends', async () => {
    type QueueJson = { name: string; flow: Record<string, unknown> | null };
    const queues = async (query = '') => {
      const response = await get(api.adminKey, `/queues${query}`);
      expect(response.status).toBe(200);
      return new Map((response.body.queues as QueueJson[]).map((queue) => [queue.name, queue.flow]));
    };
    const scrape = async () => {
      const metrics = new ServiceMetrics({ service: 'api-test', fairness });
      try {
        return await metrics.registry.scrape();
      } finally {
        await metrics.close();
      }
    };
    const gauge = (text: string, name: string, ...labels: string[]) =>
      text
        .split('\n')
        .find((line) => line.startsWith(`${name}{`) && labels.every((label) => line.includes(label)))
        ?.split(' ')
        .at(-1);

    // The model provider's key, held to one at a time: one prompt admitted, two wait for it.
    const provider = 'ai-provider:default';
    await fairness.setUserLimits('ai', provider, { concurrency: 1 });
    expect((await submit(api.aliceKey, 'ai.complete_prompt', 3)).status).toBe(202);
    expect((await fairness.dispatch('ai')).jobs).toHaveLength(1);
    const before = await queues();
    expect(before.get('ai')).toEqual({
      keysWaiting: 1,
      keysRunning: 1,
      pausedKeys: 0,
      keys: [{ key: provider, waiting: 2, running: 1 }],
      paused: [],
    });
    // A queue with admission but no keyed work lists nothing; one without admission has no view.
    expect(before.get('email')).toEqual({
      keysWaiting: 0,
      keysRunning: 0,
      pausedKeys: 0,
      keys: [],
      paused: [],
    });
    expect(before.get('file')).toBeNull();
    // Zero rows asked: the counts only.
    expect((await queues('?keys=0')).get('ai')).toMatchObject({ keysWaiting: 1, keys: [], paused: [] });
    expect((await get(api.adminKey, '/queues?keys=101')).status).toBe(400);

    const pausedAt = Date.now();
    await fairness.pause('ai', provider, 1_500);
    const during = (await queues()).get('ai') as { paused: Array<{ key: string; resumeAt: string }> };
    expect(during).toMatchObject({ pausedKeys: 1, paused: [{ key: provider }] });
    const resumeAt = Date.parse(during.paused[0]!.resumeAt);
    expect(during.paused[0]!.resumeAt).toBe(new Date(resumeAt).toISOString());
    // Redis's clock and the test's agree to well within this.
    expect(Math.abs(resumeAt - (pausedAt + 1_500))).toBeLessThan(1_000);
    const text = await scrape();
    expect(gauge(text, 'foreman_flow_paused_keys', 'queue="ai"')).toBe('1');
    expect(gauge(text, 'foreman_flow_waiting_keys', 'queue="ai"')).toBe('1');
    expect(gauge(text, 'foreman_flow_running_keys', 'queue="ai"')).toBe('1');
    expect(gauge(text, 'foreman_flow_paused_keys', 'queue="email"')).toBe('0');
    expect(
      Number(gauge(text, 'foreman_flow_key_resume_timestamp_seconds', `key="${provider}"`, 'queue="ai"')),
    ).toBeCloseTo(resumeAt / 1000, 0);

    await waitFor(async () => ((await queues()).get('ai')?.pausedKeys === 0 ? true : undefined), {
      what: 'the pause to end',
    });
    expect((await queues()).get('ai')).toMatchObject({ pausedKeys: 0, paused: [], keysWaiting: 1 });
    const after = await scrape();
    expect(gauge(after, 'foreman_flow_paused_keys', 'queue="ai"')).toBe('0');
    expect(after).not.toContain('foreman_flow_key_resume_timestamp_seconds{');
    await fairness.clearUserLimits('ai', provider);
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
