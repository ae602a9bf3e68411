import { QueueAdvisor } from '@foreman/metrics';
import type { createApp } from '../src/app.js';
import { startTestApi, type TestApi } from './test-api.js';

describe('api advisor route', () => {
  let api: TestApi;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    api = await startTestApi('api_advisor');
    app = api.replica({
      advisor: new QueueAdvisor({
        db: api.testDb.database.db,
        redis: api.redis.redis,
        prefix: api.redis.prefix,
        queues: api.client.registry.queues(),
      }),
    });
  });
  afterAll(() => api.close());

  it('reports every queue, and the one with work waiting and no worker as the bottleneck', async () => {
    await api.client.submit('maintenance.health_check', {});
    const as = (key: string) => app.request('/advisor', { headers: { authorization: `Bearer ${key}` } });
    // It reads every user's load: admin keys only.
    expect((await as(api.aliceKey)).status).toBe(403);
    const response = await as(api.adminKey);
    expect(response.status).toBe(200);
    const report = (await response.json()) as {
      bottleneck: { queue: string; reason: string } | null;
      queues: Array<{ queue: string; backlog: number; utilization: number | null }>;
    };
    expect(report.queues.map((queue) => queue.queue).sort()).toEqual(
      [...api.client.registry.queues()].sort(),
    );
    expect(report.queues.find((queue) => queue.queue === 'maintenance')).toMatchObject({
      backlog: 1,
      utilization: null,
    });
    expect(report.bottleneck).toEqual({
      queue: 'maintenance',
      reason: 'no live worker consumes it while 1 jobs wait',
    });
    expect((await app.request('/advisor')).status).toBe(401);
  });
});
