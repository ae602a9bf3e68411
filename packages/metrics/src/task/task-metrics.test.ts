import type { TaskAttemptInfo } from '@foreman/core';
import { InvalidOptionError } from '@foreman/core';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
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

describe('TaskMetrics on Prometheus', () => {
  const info = (index: number): TaskAttemptInfo => ({
    ...attempt(`t${index}`),
    taskName: index % 3 === 0 ? 'metrics.slow' : 'metrics.fast',
    queue: index % 3 === 0 ? 'slow' : 'fast',
    attempt: 1 + (index % 2),
    maxAttempts: 2,
    waitMs: [0, 5, 7.5, 250, 100_000][index % 5] as number,
  });
  /** Completions, retries and final failures of two task types, at durations on and off the bounds. */
  const feed = (metrics: TaskMetrics) => {
    for (let index = 0; index < 200; index++) {
      metrics.onStarted(info(index));
      const outcome = { ...info(index), durationMs: [0, 5, 10, 3.3, 1_234, 700_000][index % 6] as number };
      if (index % 4 === 0) metrics.onFailed({ ...outcome, final: index % 8 === 0 });
      else metrics.onCompleted(outcome);
    }
  };
  // CPU and heap are the process's own: they differ from one run to the next.
  const taskLines = (text: string) =>
    text
      .split('\n')
      .filter((line) => /foreman_tasks?_/.test(line) && !/cpu_seconds|memory_delta/.test(line))
      .sort();

  it("reports the very series OpenTelemetry's own instruments report", async () => {
    const registry = new MetricsRegistry();
    feed(new TaskMetrics({ meter: registry.meter, now: () => 1_000 }));
    // Any other meter gets OpenTelemetry's histograms, which aggregate every record themselves.
    const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
    const provider = new MeterProvider({ readers: [exporter] });
    feed(new TaskMetrics({ meter: provider.getMeter('foreman'), now: () => 1_000 }));
    const { resourceMetrics } = await exporter.collect();
    const sdkText = new PrometheusSerializer(undefined, false, undefined, false, true).serialize(
      resourceMetrics,
    );
    await provider.shutdown();

    const lines = taskLines(await registry.scrape());
    expect(lines).toEqual(taskLines(sdkText));
    expect(lines).toEqual(
      expect.arrayContaining([
        'foreman_task_duration_seconds_count{task="metrics.fast",queue="fast",status="completed"} 100',
        'foreman_task_duration_seconds_sum{task="metrics.fast",queue="fast",status="completed"} 23120.084',
        // 5 ms is on the first bound: buckets are inclusive. 700 s is past the last.
        'foreman_task_duration_seconds_bucket{task="metrics.fast",queue="fast",status="completed",le="0.005"} 34',
        'foreman_task_duration_seconds_bucket{task="metrics.fast",queue="fast",status="completed",le="600"} 67',
        'foreman_task_duration_seconds_bucket{task="metrics.fast",queue="fast",status="completed",le="+Inf"} 100',
        'foreman_task_duration_seconds_count{task="metrics.slow",queue="slow",status="failed"} 17',
        'foreman_task_wait_seconds_bucket{task="metrics.fast",queue="fast",le="+Inf"} 133',
        'foreman_task_wait_seconds_sum{task="metrics.slow",queue="slow"} 1303.6625000000001',
        'foreman_tasks_completed_total{task="metrics.fast",queue="fast"} 100',
        'foreman_tasks_failed_total{task="metrics.slow",queue="slow"} 9',
        'foreman_tasks_retried_total{task="metrics.slow",queue="slow"} 8',
        'foreman_task_duration_window_seconds{task="metrics.fast",queue="fast",quantile="p50"} 0.01',
      ]),
    );
  });

  it('lets go of the sampled start of a cancelled or pushed-back attempt', async () => {
    const registry = new MetricsRegistry();
    const metrics = new TaskMetrics({ meter: registry.meter, resourceSampleIntervalMs: 0 });
    metrics.onStarted(attempt('a'));
    metrics.onCancelled({ ...attempt('a'), durationMs: 1 });
    metrics.onStarted(attempt('b'));
    metrics.onPushedBack({ ...attempt('b'), durationMs: 1 });
    // Their finish, were it reported anyway, finds no start: no CPU sample.
    metrics.onCompleted({ ...attempt('a'), durationMs: 1 });
    metrics.onCompleted({ ...attempt('b'), durationMs: 1 });
    expect(cpuSamples(await registry.scrape())).toBe(0);
  });
});
