import {
  defineTask,
  implementTask,
  type Runtime,
  runWorkerApp,
  type TaskClient,
  TaskRegistry,
  type WorkerApp,
} from '@foreman/core';
import { createTestRedis, createTestRuntime, type TestRedis, waitFor } from '@foreman/core/testing';
import { eq, tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { z } from 'zod';
import {
  readHeartbeats,
  SUMMARY_CSV_COLUMNS,
  TaskRecordStats,
  type TaskTypeSummary,
  WorkerMetrics,
} from '../src/index.js';

const sleep = defineTask({
  name: 'metrics.sleep',
  queue: 'metrics-test',
  payload: z.object({ ms: z.number(), fail: z.boolean().default(false) }),
  retry: { attempts: 2, delayMs: 10, jitter: 0 },
});

describe('WorkerMetrics in a real worker app', () => {
  let redis: TestRedis;
  let database: TestDatabase;
  let app: WorkerApp;
  let runtime: Runtime;
  let client: TaskClient;
  const metrics = new WorkerMetrics({ heartbeatMs: 200 });
  const get = (path: string) => fetch(`http://127.0.0.1:${app.health.port}${path}`);

  beforeAll(async () => {
    redis = await createTestRedis('metrics');
    database = await createTestDatabase('metrics');
    app = await runWorkerApp({
      name: 'metrics-test-worker',
      queue: 'metrics-test',
      tasks: () => [
        implementTask(sleep, async ({ ms, fail }) => {
          await new Promise((resolve) => setTimeout(resolve, ms));
          if (fail) throw new Error('asked to fail');
          return { slept: ms };
        }),
      ],
      defaults: { concurrency: 4, healthPort: 0, recordProjector: true },
      env: {
        REDIS_URL: redis.url,
        QUEUE_PREFIX: redis.prefix,
        DATABASE_URL: database.url,
        DATABASE_SCHEMA: database.schema,
        LOG_LEVEL: 'silent',
      },
      handleSignals: false,
      plugins: [metrics],
    });
    // The worker app projects the records.
    runtime = await createTestRuntime({
      redis,
      database,
      registry: new TaskRegistry([sleep]),
      project: false,
    });
    client = runtime.client;
    const submitted = [];
    for (let i = 1; i <= 10; i++) submitted.push(await client.submit(sleep.name, { ms: i * 10 }));
    await client.submit(sleep.name, { ms: 1, fail: true });
    await waitFor(
      () => {
        const summary = metrics.tasks.summaries()[0];
        return summary && summary.completed === 10 && summary.failed === 1 ? summary : undefined;
      },
      { timeoutMs: 30_000, what: 'eleven tasks to finish' },
    );
  });

  afterAll(async () => {
    await runtime.stop();
    await app.stop();
    await redis.cleanup();
    await database.drop();
  });

  it('summarises each task type over the sliding window with percentiles', () => {
    const [summary] = metrics.tasks.summaries() as [TaskTypeSummary];
    expect(summary).toMatchObject({
      task: sleep.name,
      queue: 'metrics-test',
      completed: 10,
      failed: 1,
      retried: 1,
    });
    expect(summary.failureRate).toBeCloseTo(1 / 11);
    // 10..100 ms sleeps plus the failing attempts' ~1 ms: the percentiles follow the sleeps.
    expect(summary.durationMs.count).toBe(12);
    expect(summary.durationMs.p50).toBeGreaterThanOrEqual(40);
    // The 100 ms sleep: a timer counts from the event loop's cached clock, which may lag the wall
    // clock the record's times come from by a millisecond or two.
    expect(summary.durationMs.p99).toBeGreaterThanOrEqual(97);
    expect(summary.durationMs.p90).toBeLessThanOrEqual(summary.durationMs.p99);
    expect(summary.waitMs.count).toBe(12);
  });

  it('serves Prometheus metrics of tasks, its queue, the process and the host', async () => {
    const response = await get('/metrics');
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/foreman_tasks_completed_total\{[^}]*task="metrics\.sleep"[^}]*\} 10/);
    expect(text).toMatch(/foreman_tasks_failed_total\{[^}]*\} 1/);
    expect(text).toMatch(/foreman_tasks_retried_total\{[^}]*\} 1/);
    expect(text).toMatch(/foreman_task_duration_seconds_bucket\{/);
    expect(text).toMatch(/foreman_task_duration_window_seconds\{[^}]*quantile="p95"/);
    expect(text).toMatch(/foreman_queue_jobs\{queue="metrics-test",state="failed"\} 1/);
    expect(text).toMatch(/foreman_process_memory_bytes\{type="rss"\} \d+/);
    expect(text).toMatch(/foreman_host_memory_bytes\{state="total"\} \d+/);
    expect(text).not.toContain('collection error');
  });

  it('gauges the dead letter the failed task left in the dead_letters table', async () => {
    // The record writer stores the letter shortly after the attempt; a reading lasts 5 s.
    await waitFor(
      async () => {
        const text = await (await get('/metrics')).text();
        return text.includes('foreman_dead_letters{queue="metrics-test"} 1') ? text : undefined;
      },
      { timeoutMs: 15_000, what: 'the dead-letter gauge to read 1' },
    );
  });

  it('exports the summaries as JSON and CSV', async () => {
    const json = (await (await get('/metrics/summary')).json()) as { tasks: TaskTypeSummary[] };
    expect(json.tasks.map((task) => task.task)).toEqual([sleep.name]);
    const csv = await (await get('/metrics/summary.csv')).text();
    const [header, row] = csv.split('\r\n');
    expect(header).toBe(SUMMARY_CSV_COLUMNS.join(','));
    expect(row?.startsWith('metrics.sleep,metrics-test,300000,10,1,1,')).toBe(true);
  });

  it('still answers /health beside the metrics routes', async () => {
    expect(await (await get('/health')).json()).toMatchObject({
      status: 'ok',
      service: 'metrics-test-worker',
    });
  });

  it('beats into Redis with its queue and concurrency', async () => {
    const beats = await readHeartbeats(redis.redis, redis.prefix);
    expect(beats).toEqual([
      expect.objectContaining({ service: 'metrics-test-worker', queue: 'metrics-test', concurrency: 4 }),
    ]);
  });

  it('summarises the same tasks deployment-wide from the task records', async () => {
    const stats = new TaskRecordStats(database.database.db);
    const summary = await waitFor(async () => {
      const [found] = await stats.summaries(60_000);
      return found && found.completed === 10 && found.failed === 1 ? found : undefined;
    });
    expect(summary.durationMs.p50).toBeGreaterThanOrEqual(40);
    // The 100 ms sleep: a timer counts from the event loop's cached clock, which may lag the wall
    // clock the record's times come from by a millisecond or two.
    expect(summary.durationMs.p99).toBeGreaterThanOrEqual(97);
    expect(summary.failureRate).toBeCloseTo(1 / 11);
  });

  it('reports a record the database refused on /health and /metrics, and records the next task', async () => {
    // Queued around the client (as before NUL was refused at submit): its record cannot be stored.
    await client.queue('metrics-test').add(sleep.name, { payload: { ms: 1 }, userId: 'a\u0000b' });
    const next = await client.submit(sleep.name, { ms: 1 });
    const stored = await waitFor(async () => {
      const [found] = await database.database.db.select().from(tasks).where(eq(tasks.id, next.taskId));
      return found?.status === 'completed' ? found : undefined;
    });
    expect(stored.status).toBe('completed');
    expect(app.records.stats.quarantined).toBeGreaterThan(0);
    const health = (await (await get('/health')).json()) as {
      status: string;
      records: { quarantined: number };
    };
    expect(health.status).toBe('ok');
    expect(health.records.quarantined).toBe(app.records.stats.quarantined);
    expect(await (await get('/metrics')).text()).toContain(
      `foreman_records_quarantined_total ${app.records.stats.quarantined}`,
    );
  });
});

describe('WorkerMetrics with METRICS_ENABLED=false', () => {
  it('measures and serves nothing, and still beats for /workers and heartbeat alerts', async () => {
    const redis = await createTestRedis('metrics-off');
    const database = await createTestDatabase('metrics_off');
    const metrics = new WorkerMetrics({ heartbeatMs: 200 });
    const app = await runWorkerApp({
      name: 'metrics-off-worker',
      queue: 'metrics-test',
      tasks: () => [implementTask(sleep, async ({ ms }) => ({ slept: ms }))],
      defaults: { concurrency: 1, healthPort: 0, recordProjector: true },
      env: {
        REDIS_URL: redis.url,
        QUEUE_PREFIX: redis.prefix,
        DATABASE_URL: database.url,
        DATABASE_SCHEMA: database.schema,
        LOG_LEVEL: 'silent',
        METRICS_ENABLED: 'false',
      },
      handleSignals: false,
      plugins: [metrics],
    });
    try {
      const runtime = await createTestRuntime({
        redis,
        database,
        registry: new TaskRegistry([sleep]),
        project: false,
      });
      const { client } = runtime;
      const { taskId } = await client.submit(sleep.name, { ms: 1 });
      await waitFor(
        async () =>
          (await client.queue('metrics-test').getJobState(taskId)) === 'completed' ? true : undefined,
        {
          what: 'the task to run',
        },
      );
      await runtime.stop();
      expect(metrics.tasks.summaries()).toEqual([]);
      expect((await fetch(`http://127.0.0.1:${app.health.port}/metrics`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${app.health.port}/health`)).status).toBe(200);
      expect(await readHeartbeats(redis.redis, redis.prefix)).toEqual([
        expect.objectContaining({ service: 'metrics-off-worker', queue: 'metrics-test' }),
      ]);
    } finally {
      await app.stop();
      await redis.cleanup();
      await database.drop();
    }
  });
});
