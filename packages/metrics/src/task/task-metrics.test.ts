import type { TaskAttemptInfo } from '@foreman/core';
import { InvalidOptionError } from '@foreman/core';
import { MetricsRegistry } from '../metrics-registry.js';
import { TaskMetrics } from './task-metrics.js';

const attempt = (taskId: string): TaskAttemptInfo => ({
  taskId,
  taskName: 'metrics.unit',
  queue: 'unit',
  attempt: 1,
  maxAttempts: 1,
  userId: undefined,
  workflowId: undefined,
  payload: {},
  waitMs: 1,
  startedAt: new Date(),
});

const cpuSamples = (text: string) =>
  Number(/foreman_task_cpu_seconds_count\{[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);

describe('TaskMetrics resource sampling', () => {
  it('reads CPU and heap for one attempt per interval, and for every attempt at 0', async () => {
    let clock = 1_000;
    const registry = new MetricsRegistry();
    const metrics = new TaskMetrics({ meter: registry.meter, now: () => clock });
    for (const [id, at] of [
      ['a', 1_000],
      ['b', 1_050],
      ['c', 1_100],
      ['d', 1_150],
    ] as const) {
      clock = at;
      metrics.onStarted(attempt(id));
      metrics.onCompleted({ ...attempt(id), durationMs: 1 });
    }
    // a and c start an interval; b and d fall inside one.
    expect(cpuSamples(await registry.scrape())).toBe(2);
    expect(metrics.summaries()[0]).toMatchObject({ completed: 4 });

    const every = new MetricsRegistry();
    const unsampled = new TaskMetrics({ meter: every.meter, now: () => clock, resourceSampleIntervalMs: 0 });
    for (const id of ['a', 'b', 'c']) {
      unsampled.onStarted(attempt(id));
      unsampled.onCompleted({ ...attempt(id), durationMs: 1 });
    }
    expect(cpuSamples(await every.scrape())).toBe(3);
  });

  it('samples on its own clock when given none', async () => {
    const registry = new MetricsRegistry();
    const metrics = new TaskMetrics({ meter: registry.meter });
    metrics.onStarted(attempt('a'));
    metrics.onCompleted({ ...attempt('a'), durationMs: 1 });
    expect(cpuSamples(await registry.scrape())).toBe(1);
  });

  it('refuses a negative interval', () => {
    expect(
      () => new TaskMetrics({ meter: new MetricsRegistry().meter, resourceSampleIntervalMs: -1 }),
    ).toThrow(InvalidOptionError);
  });
});
