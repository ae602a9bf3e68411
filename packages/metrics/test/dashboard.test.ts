import { readFile } from 'node:fs/promises';
import { FairScheduler, type TaskAttemptInfo } from '@foreman/core';
import { createTestRedis, type TestRedis } from '@foreman/core/testing';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import {
  FairnessMetrics,
  HostMetrics,
  MetricsRegistry,
  ProcessMetrics,
  QueueMetrics,
  TaskMetrics,
} from '../src/index.js';

const dashboardPath = new URL('../../../infra/grafana/dashboards/foreman.json', import.meta.url);

interface Panel {
  panels?: Panel[];
  targets?: Array<{ expr: string }>;
}

function queriedMetrics(dashboard: { panels: Panel[] }): Set<string> {
  const names = new Set<string>();
  const visit = (panel: Panel) => {
    for (const target of panel.targets ?? []) {
      for (const name of target.expr.match(/\bforeman_[a-z0-9_]+/g) ?? []) names.add(name);
    }
    for (const inner of panel.panels ?? []) visit(inner);
  };
  for (const panel of dashboard.panels) visit(panel);
  return names;
}

describe('the Grafana dashboard', () => {
  let redis: TestRedis;
  let database: TestDatabase;
  beforeAll(async () => {
    redis = await createTestRedis('dashboard');
    database = await createTestDatabase('dashboard');
  });
  afterAll(async () => {
    await redis.cleanup();
    await database.drop();
  });

  it('queries only metrics the code exports', async () => {
    const registry = new MetricsRegistry({ service: 'dashboard-test' });
    const tasks = new TaskMetrics({ meter: registry.meter });
    const processMetrics = new ProcessMetrics(registry.meter);
    new HostMetrics({ meter: registry.meter });
    const queues = new QueueMetrics({
      meter: registry.meter,
      connection: redis.redis,
      prefix: redis.prefix,
      queues: ['q'],
      db: database.database.db,
    });
    // A user with a task waiting for fair admission, so the fairness gauges have series.
    const scheduler = new FairScheduler({
      connection: redis.redis,
      prefix: redis.prefix,
      settings: { fq: { readyWindow: 1 } },
    });
    await scheduler.enqueue('fq', [{ taskId: 't1', userId: 'u', name: 'demo.task', data: {}, opts: {} }]);
    new FairnessMetrics({ meter: registry.meter, scheduler });
    // One attempt of every kind, so every instrument has a series to export.
    const info = (taskId: string): TaskAttemptInfo => ({
      taskId,
      taskName: 'demo.task',
      queue: 'q',
      attempt: 1,
      maxAttempts: 1,
      userId: undefined,
      payload: {},
      waitMs: 5,
      startedAt: new Date(),
    });
    for (const [id, outcome] of [
      ['a', 'completed'],
      ['b', 'retried'],
      ['c', 'failed'],
    ] as const) {
      tasks.onStarted(info(id));
      if (outcome === 'completed') tasks.onCompleted({ ...info(id), durationMs: 10 });
      else
        tasks.onFailed({ ...info(id), durationMs: 10, error: new Error('x'), final: outcome === 'failed' });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const text = await registry.scrape();
    const exported = new Set(
      text
        .split('\n')
        .filter((line) => line && !line.startsWith('#'))
        .map((line) => line.split(/[{ ]/)[0]),
    );

    const queried = queriedMetrics(JSON.parse(await readFile(dashboardPath, 'utf8')));
    expect(queried.size).toBeGreaterThan(15);
    // Dead letters come from the dead_letters table, not from BullMQ's failed set.
    expect(queried).toContain('foreman_dead_letters');
    expect(queried).toContain('foreman_fair_oldest_waiting_seconds');
    expect([...queried].filter((name) => !exported.has(name))).toEqual([]);

    processMetrics.stop();
    await queues.close();
    await registry.shutdown();
  });
});
