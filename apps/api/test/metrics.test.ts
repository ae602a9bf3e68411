import { waitFor } from '@foreman/core/testing';
import { deadLetters, tasks } from '@foreman/db';
import { ServiceMetrics } from '@foreman/metrics';
import { startTestApi, type TestApi } from './test-api.js';

describe('api metrics routes', () => {
  let api: TestApi;
  let app: { request(path: string): Promise<Response> };

  beforeAll(async () => {
    api = await startTestApi('api_metrics', (redis, testDb) => ({
      metrics: new ServiceMetrics({
        service: 'api',
        queues: {
          connection: redis.redis,
          prefix: redis.prefix,
          names: ['maintenance', 'email'],
          db: testDb.database.db,
        },
      }),
    }));
    // The scrape is public; summaries need a key.
    app = { request: (path) => api.call(path === '/metrics' ? undefined : api.aliceKey, path) };
    const testDb = api.testDb;
    const now = Date.now();
    await testDb.database.db.insert(tasks).values(
      [10, 20, 30, 40].map((durationMs, index) => ({
        id: `t${index}`,
        name: 'maintenance.health_check',
        userId: 'alice',
        queue: 'maintenance',
        status: index === 3 ? ('failed' as const) : ('completed' as const),
        createdAt: new Date(now - 1_000),
        durationMs,
        waitMs: 5,
      })),
    );
    // A dead email task: the dead-letter gauge counts the table's rows, BullMQ's failed set has none.
    await testDb.database.db.insert(deadLetters).values({
      taskId: 'dead-1',
      name: 'email.send_email',
      queue: 'email',
      error: 'gave up',
      attempts: 5,
      failedAt: new Date(now),
    });
  });
  afterAll(() => api.close());

  it('serves Prometheus text with queue depth of every queue', async () => {
    await api.client.submit('maintenance.health_check', {});
    const text = await waitFor(async () => {
      const body = await (await app.request('/metrics')).text();
      // The loop-delay gauge reports once its histogram has a sample (every 20 ms), which a
      // submit that answers at once may outrun.
      return /foreman_queue_jobs\{queue="maintenance",state="waiting"\} 1/.test(body) &&
        body.includes('foreman_process_event_loop_delay_seconds')
        ? body
        : undefined;
    });
    expect(text).toContain('foreman_queue_jobs{queue="email",state="waiting"} 0');
    expect(text).toContain('foreman_dead_letters{queue="email"} 1');
    expect(text).toContain('foreman_dead_letters{queue="maintenance"} 0');
    expect(text).toContain('foreman_queue_jobs{queue="email",state="failed"} 0');
    expect(text).toContain('foreman_process_event_loop_delay_seconds');
  });

  it('summarises task records with percentiles, as JSON or CSV', async () => {
    const json = (await (await app.request('/metrics/summary?windowMs=60000')).json()) as {
      tasks: Array<{
        task: string;
        completed: number;
        failed: number;
        durationMs: { p50: number; p99: number };
      }>;
    };
    expect(json.tasks).toEqual([
      expect.objectContaining({
        task: 'maintenance.health_check',
        completed: 3,
        failed: 1,
        durationMs: expect.objectContaining({ p50: 20, p99: 40 }),
      }),
    ]);
    const csv = await (await app.request('/metrics/summary?format=csv')).text();
    expect(csv.split('\r\n')[1]).toMatch(
      /^maintenance\.health_check,maintenance,300000,3,1,0,0\.25,4,25,20,40,40,40,40,/,
    );
  });

  it("keeps a user's summary to their own tasks; admins see the deployment's", async () => {
    const tasksOf = async (key: string) =>
      ((await (await api.call(key, '/metrics/summary?windowMs=60000')).json()) as { tasks: unknown[] }).tasks;
    expect(await tasksOf(api.bobKey)).toEqual([]);
    expect(await tasksOf(api.adminKey)).toEqual([
      expect.objectContaining({ task: 'maintenance.health_check', completed: 3, failed: 1 }),
    ]);
  });

  it('rejects a bad window with a typed error', async () => {
    const response = await app.request('/metrics/summary?windowMs=-5');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('QUERY_INVALID');
  });

  it('reports queue depths as JSON, to admin keys only (they count every user’s tasks)', async () => {
    expect((await app.request('/metrics/queues')).status).toBe(403);
    const body = (await (await api.call(api.adminKey, '/metrics/queues')).json()) as {
      queues: Array<{ queue: string; deadLetters: number }>;
    };
    expect(body.queues.map((queue) => queue.queue).sort()).toEqual(['email', 'maintenance']);
    expect(body.queues.find((queue) => queue.queue === 'email')?.deadLetters).toBe(1);
  });
});

describe('api with METRICS_ENABLED=false (no ServiceMetrics)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('api_metrics_off');
  });
  afterAll(() => api.close());

  it('answers the scrape and the depths with 404 METRICS_DISABLED, and still the record summaries', async () => {
    for (const path of ['/metrics', '/metrics/queues']) {
      const response = await api.call(api.adminKey, path);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'METRICS_DISABLED' } });
    }
    expect((await api.call(api.adminKey, '/metrics/summary')).status).toBe(200);
  });
});
