import { allContracts, maintenance } from '@foreman/contracts';
import { implementTask, type TaskWorker } from '@foreman/core';
import { waitFor } from '@foreman/core/testing';
import { WorkerHeartbeat } from '@foreman/metrics';
import { startTestApi, type TestApi } from './test-api.js';
import { startTestWorker } from './test-worker.js';

interface QueueJson {
  name: string;
  paused: boolean;
  counts: Record<string, number>;
}

describe('queues and workers', () => {
  let api: TestApi;
  let worker: TaskWorker;
  let release: () => void = () => {};
  beforeAll(async () => {
    api = await startTestApi('api_queues');
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    worker = await startTestWorker(api, 'maintenance', [
      implementTask(maintenance.healthCheck, async () => {
        await gate;
        return { redisMs: 1, databaseMs: 1, checkedAt: new Date().toISOString() };
      }),
    ]);
  });
  afterAll(async () => {
    release();
    await worker.close();
    await api.close();
  });

  const get = async <T>(path: string, key = api.adminKey) => {
    const response = await api.call(key, path);
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };
  const post = (path: string, body?: unknown) =>
    api.call(api.adminKey, path, { method: 'POST', ...(body ? { body: JSON.stringify(body) } : {}) });

  it('shows live workers, their running task, what they run, and answers a ping', async () => {
    const submitted = await api.call(api.aliceKey, '/tasks/maintenance.health_check', {
      method: 'POST',
      body: '{}',
    });
    const { taskId } = (await submitted.json()) as { taskId: string };
    const { active } = await waitFor(async () => {
      const answer = await get<{ active: Array<{ taskId: string; queue: string }> }>('/workers/active');
      return answer.active.length > 0 ? answer : undefined;
    });
    expect(active).toEqual([
      expect.objectContaining({ taskId, queue: 'maintenance', name: 'maintenance.health_check' }),
    ]);
    const { workers } = await get<{ workers: Array<{ queue: string; idleSeconds: number }> }>('/workers');
    expect(workers.filter((w) => w.queue === 'maintenance').length).toBeGreaterThanOrEqual(1);
    const { queues: registered } = await get<{ queues: Record<string, string[]> }>('/workers/registered');
    const maintenanceTasks = allContracts
      .filter((task) => task.queue === 'maintenance')
      .map((task) => task.name);
    expect([...(registered.maintenance ?? [])].sort()).toEqual(maintenanceTasks.sort());
    expect(registered.maintenance).toContain('maintenance.health_check');
    const ping = (await (await post('/workers/ping')).json()) as { queues: Record<string, { ok: boolean }> };
    expect(ping.queues.maintenance?.ok).toBe(true);
    expect(ping.queues.email?.ok).toBe(false);
    release();
  });

  it('counts worker processes, slots, running and waiting tasks per queue from heartbeats', async () => {
    const heartbeat = new WorkerHeartbeat({
      redis: api.redis.redis,
      prefix: api.redis.prefix,
      service: 'maintenance-worker',
      queue: 'maintenance',
      concurrency: 4,
    });
    await heartbeat.start();
    const waiting = await api.call(api.aliceKey, '/tasks/email.send_email', {
      method: 'POST',
      body: JSON.stringify({ to: ['a@b.test'], subject: 's', text: 't' }),
    });
    const { taskId } = (await waiting.json()) as { taskId: string };
    try {
      const stats = await get<{
        processes: Array<{ instance: string; service: string; concurrency: number }>;
        queues: Record<string, { processes: number; slots: number; active: number; waiting: number }>;
      }>('/workers/stats');
      expect(stats.processes).toEqual([
        expect.objectContaining({
          instance: heartbeat.instance,
          service: 'maintenance-worker',
          concurrency: 4,
        }),
      ]);
      expect(stats.queues.maintenance).toEqual(expect.objectContaining({ processes: 1, slots: 4 }));
      expect(stats.queues.email).toEqual({ processes: 0, slots: 0, active: 0, waiting: 1 });
      expect((await api.call(api.aliceKey, '/workers/stats')).status).toBe(403);
    } finally {
      await heartbeat.stop();
      await api.call(api.aliceKey, `/tasks/${taskId}/cancel`, { method: 'POST' });
    }
    const after = await get<{ processes: unknown[] }>('/workers/stats');
    expect(after.processes).toEqual([]);
  });

  it('reports depths, pauses, resumes and cleans a queue', async () => {
    for (let i = 0; i < 3; i++) {
      await api.call(api.aliceKey, '/tasks/email.send_email?delayMs=600000', {
        method: 'POST',
        body: JSON.stringify({ to: ['a@b.test'], subject: 's', text: 't' }),
      });
    }
    const email = async () =>
      (await get<{ queues: QueueJson[] }>('/queues')).queues.find((q) => q.name === 'email');
    expect((await email())?.counts.delayed).toBe(3);
    // Depths count every user's tasks: not for user keys.
    expect((await api.call(api.aliceKey, '/queues')).status).toBe(403);
    expect((await post('/queues/email/pause')).status).toBe(200);
    expect((await email())?.paused).toBe(true);
    expect((await post('/queues/email/resume')).status).toBe(200);
    expect((await email())?.paused).toBe(false);
    const cleaned = await post('/queues/email/clean', { status: 'delayed' });
    expect(await cleaned.json()).toEqual({ removed: 3 });
    expect((await email())?.counts.delayed).toBe(0);
  });

  it('purges a queue: every task not started is cancelled, in Redis and in its record', async () => {
    const ids: string[] = [];
    for (const query of ['', '?delayMs=600000', '?priority=3']) {
      const response = await api.call(api.aliceKey, `/tasks/email.send_email${query}`, {
        method: 'POST',
        body: JSON.stringify({ to: ['a@b.test'], subject: 's', text: 't' }),
      });
      ids.push(((await response.json()) as { taskId: string }).taskId);
    }
    expect((await api.call(api.aliceKey, '/queues/email/purge', { method: 'POST' })).status).toBe(403);
    expect((await post('/queues/nope/purge')).status).toBe(404);
    expect((await post('/queues/email/purge', { limit: 0 })).status).toBe(400);
    // A paused queue's tasks have not started either.
    expect((await post('/queues/email/pause')).status).toBe(200);
    const purged = await post('/queues/email/purge');
    expect(purged.status).toBe(200);
    expect(await purged.json()).toEqual({ cancelled: 3 });
    expect((await post('/queues/email/resume')).status).toBe(200);
    await api.projected();
    for (const id of ids) {
      const record = (await (await api.call(api.aliceKey, `/tasks/${id}`)).json()) as { status: string };
      expect(record.status).toBe('cancelled');
    }
    const counts = (await get<{ queues: QueueJson[] }>('/queues')).queues.find((q) => q.name === 'email');
    expect(counts?.counts).toEqual(expect.objectContaining({ waiting: 0, prioritized: 0, delayed: 0 }));
    expect(await (await post('/queues/email/purge', { limit: 5 })).json()).toEqual({ cancelled: 0 });
  });

  it('purges the tasks of a keyed queue still waiting for admission too', async () => {
    // ai.complete_prompt has the model provider's flow key: with no ai worker, both wait for admission.
    const ids: string[] = [];
    for (const query of ['', '?delayMs=600000']) {
      const response = await api.call(api.aliceKey, `/tasks/ai.complete_prompt${query}`, {
        method: 'POST',
        body: JSON.stringify({ prompt: 'hi' }),
      });
      ids.push(((await response.json()) as { taskId: string }).taskId);
    }
    const fairness = api.client.fairness!;
    expect((await fairness.waitingTaskIds('ai', 10)).sort()).toEqual([...ids].sort());
    expect(await (await post('/queues/ai/purge')).json()).toEqual({ cancelled: 2 });
    expect(await fairness.waitingTaskIds('ai', 10)).toEqual([]);
    await api.projected();
    for (const id of ids) {
      const record = (await (await api.call(api.aliceKey, `/tasks/${id}`)).json()) as { status: string };
      expect(record.status).toBe('cancelled');
    }
  });
});
