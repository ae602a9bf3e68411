import { getHeapStatistics } from 'node:v8';
import {
  checkWholeNumbers,
  type TaskAttemptInfo,
  type TaskAttemptOutcome,
  type TaskLifecycleListener,
} from '@foreman/core';
import type { Gauge, Meter } from '@opentelemetry/api';
import {
  createSeriesHistogram,
  type HistogramSeries,
  type SeriesHistogram,
} from '../histogram/series-histogram.js';
import { SLIDING_WINDOW_DEFAULTS, SlidingWindow } from '../window/sliding-window.js';
import type { TaskTypeSummary } from './task-type-summary.js';

/** The defaults of `TaskMetricsOptions` of its own (the window's are `SLIDING_WINDOW_DEFAULTS`). */
export const TASK_METRICS_DEFAULTS = { resourceSampleIntervalMs: 100 } as const;

export interface TaskMetricsOptions {
  meter: Meter;
  /**
   * Span of the sliding-window percentiles.
   * @defaultValue {@link SLIDING_WINDOW_DEFAULTS}.windowMs
   */
  windowMs?: number;
  /**
   * Bound on samples kept per task type and measurement.
   * @defaultValue {@link SLIDING_WINDOW_DEFAULTS}.maxSamples
   */
  maxSamples?: number;
  /**
   * Clock of the windows and of the resource sampling, in milliseconds.
   * @defaultValue `Date.now`
   */
  now?: () => number;
  /**
   * CPU time and heap change are read for at most one attempt started in each such interval:
   * reading them is a system call, too dear for every attempt at thousands a second, and while
   * attempts overlap the figure is the process's anyway. 0 reads them for every attempt.
   * @defaultValue {@link TASK_METRICS_DEFAULTS}.resourceSampleIntervalMs
   */
  resourceSampleIntervalMs?: number;
}

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const QUANTILES = ['p50', 'p90', 'p95', 'p99'] as const;

interface TaskTypeState {
  /** The labels of its counters and gauges, made once for the collections that read them. */
  labels: { task: string; queue: string };
  /** Its histogram series, bound once (see `createSeriesHistogram`). */
  durationByStatus: Record<'completed' | 'failed', HistogramSeries>;
  waitSeries: HistogramSeries;
  cpuSeries: HistogramSeries;
  /** Attempts completed, failed for good and failed to be retried, read at collection. */
  completed: number;
  failed: number;
  retried: number;
  duration: SlidingWindow;
  wait: SlidingWindow;
  cpu: SlidingWindow;
  memory: SlidingWindow;
  /** 1 per final failure, 0 per success: the mean is the failure rate. */
  outcomes: SlidingWindow;
  retries: SlidingWindow;
}

interface AttemptStart {
  cpu: NodeJS.CpuUsage;
  heap: number;
}

/**
 * Task metrics of a worker, fed by the worker runtime's lifecycle hook: OpenTelemetry instruments
 * for Prometheus plus in-process sliding windows for percentiles and summaries.
 */
export class TaskMetrics implements TaskLifecycleListener {
  private readonly duration: SeriesHistogram;
  private readonly wait: SeriesHistogram;
  private readonly cpu: SeriesHistogram;
  private readonly memory: Gauge;
  private readonly types = new Map<string, TaskTypeState>();
  private readonly running = new Map<string, AttemptStart>();
  private readonly windowMs: number;
  private readonly resourceSampleIntervalMs: number;
  /** One clock for the windows and the sampling: read once per lifecycle step. */
  private readonly now: () => number;
  private nextResourceSample = 0;

  constructor(private readonly options: TaskMetricsOptions) {
    const { meter } = options;
    this.windowMs = options.windowMs ?? SLIDING_WINDOW_DEFAULTS.windowMs;
    this.now = options.now ?? Date.now;
    this.resourceSampleIntervalMs =
      options.resourceSampleIntervalMs ?? TASK_METRICS_DEFAULTS.resourceSampleIntervalMs;
    checkWholeNumbers('TaskMetrics', {
      windowMs: this.windowMs,
      maxSamples: options.maxSamples ?? SLIDING_WINDOW_DEFAULTS.maxSamples,
    });
    checkWholeNumbers('TaskMetrics', { resourceSampleIntervalMs: this.resourceSampleIntervalMs }, 0);
    this.duration = createSeriesHistogram(meter, 'foreman_task_duration_seconds', {
      description: 'Run time of one task attempt',
      boundaries: SECONDS_BUCKETS,
    });
    this.wait = createSeriesHistogram(meter, 'foreman_task_wait_seconds', {
      description: 'Time a task waited in its queue before an attempt started',
      boundaries: SECONDS_BUCKETS,
    });
    this.cpu = createSeriesHistogram(meter, 'foreman_task_cpu_seconds', {
      description: 'Process CPU time (user + system) spent during one attempt, for sampled attempts',
      boundaries: SECONDS_BUCKETS,
    });
    this.memory = meter.createGauge('foreman_task_memory_delta_bytes', {
      description: 'Change of the process heap during the latest sampled attempt',
    });
    // Counted here and observed at collection: a synchronous counter's add costs a no-op task
    // more than the count itself.
    const counters = {
      completed: meter.createObservableCounter('foreman_tasks_completed', { description: 'Tasks completed' }),
      failed: meter.createObservableCounter('foreman_tasks_failed', { description: 'Tasks failed for good' }),
      retried: meter.createObservableCounter('foreman_tasks_retried', {
        description: 'Attempts that failed and will be retried',
      }),
    };
    meter.addBatchObservableCallback((result) => {
      for (const state of this.types.values()) {
        for (const outcome of ['completed', 'failed', 'retried'] as const) {
          if (state[outcome] > 0) result.observe(counters[outcome], state[outcome], state.labels);
        }
      }
    }, Object.values(counters));
    meter
      .createObservableGauge('foreman_task_duration_window_seconds', {
        description: 'Sliding-window percentiles of task run time',
      })
      .addCallback((result) => {
        for (const state of this.types.values()) {
          const summary = state.duration.summary();
          if (summary.count === 0) continue;
          for (const quantile of QUANTILES) {
            result.observe(summary[quantile] / 1_000, { ...state.labels, quantile });
          }
        }
      });
  }

  onStarted(info: TaskAttemptInfo): void {
    const now = this.now();
    // A wall clock set back would otherwise hold the next sample off by as much.
    if (now >= this.nextResourceSample || this.nextResourceSample - now > this.resourceSampleIntervalMs) {
      this.nextResourceSample = now + this.resourceSampleIntervalMs;
      this.running.set(attemptKey(info), { cpu: process.cpuUsage(), heap: heapUsed() });
    }
    const state = this.state(info);
    state.waitSeries.record(info.waitMs / 1_000);
    state.wait.record(info.waitMs, now);
  }

  onCompleted(outcome: TaskAttemptOutcome): void {
    const now = this.now();
    const state = this.finish(outcome, 'completed', now);
    state.completed += 1;
    state.outcomes.record(0, now);
  }

  onFailed(outcome: TaskAttemptOutcome): void {
    const now = this.now();
    const state = this.finish(outcome, 'failed', now);
    if (outcome.final) {
      state.failed += 1;
      state.outcomes.record(1, now);
    } else {
      state.retried += 1;
      state.retries.record(1, now);
    }
  }

  /** A cancelled or pushed-back attempt is not measured; only its sampled start is let go. */
  onCancelled(outcome: TaskAttemptOutcome): void {
    this.forgetStart(outcome);
  }

  onPushedBack(outcome: TaskAttemptOutcome): void {
    this.forgetStart(outcome);
  }

  /** Per task type seen by this process, over the sliding window. */
  summaries(): TaskTypeSummary[] {
    return [...this.types.values()].map((state) => {
      const outcomes = state.outcomes.samples();
      const failed = outcomes.filter((value) => value === 1).length;
      return {
        ...state.labels,
        windowMs: this.windowMs,
        completed: outcomes.length - failed,
        failed,
        retried: state.retries.samples().length,
        failureRate: outcomes.length === 0 ? 0 : failed / outcomes.length,
        durationMs: state.duration.summary(),
        waitMs: state.wait.summary(),
        cpuMs: state.cpu.summary().mean,
        memoryDeltaBytes: state.memory.summary().mean,
      };
    });
  }

  private finish(outcome: TaskAttemptOutcome, status: 'completed' | 'failed', now: number): TaskTypeState {
    const state = this.state(outcome);
    state.durationByStatus[status].record(outcome.durationMs / 1_000);
    state.duration.record(outcome.durationMs, now);
    const start = this.forgetStart(outcome);
    if (start) {
      const cpu = process.cpuUsage(start.cpu);
      const cpuMs = (cpu.user + cpu.system) / 1_000;
      const heapDelta = heapUsed() - start.heap;
      state.cpuSeries.record(cpuMs / 1_000);
      this.memory.record(heapDelta, state.labels);
      state.cpu.record(cpuMs, now);
      state.memory.record(heapDelta, now);
    }
    return state;
  }

  /** The attempt's sampled start, if it was sampled, removed. */
  private forgetStart(info: TaskAttemptInfo): AttemptStart | undefined {
    // Most attempts are not sampled: no key to build for them.
    if (this.running.size === 0) return undefined;
    const key = attemptKey(info);
    const start = this.running.get(key);
    if (start) this.running.delete(key);
    return start;
  }

  private state(info: TaskAttemptInfo): TaskTypeState {
    let state = this.types.get(info.taskName);
    if (!state) {
      const window = () =>
        new SlidingWindow({
          windowMs: this.windowMs,
          ...(this.options.maxSamples ? { maxSamples: this.options.maxSamples } : {}),
          now: this.now,
        });
      const labels = { task: info.taskName, queue: info.queue };
      state = {
        labels,
        durationByStatus: {
          completed: this.duration.series({ ...labels, status: 'completed' }),
          failed: this.duration.series({ ...labels, status: 'failed' }),
        },
        waitSeries: this.wait.series(labels),
        cpuSeries: this.cpu.series(labels),
        completed: 0,
        failed: 0,
        retried: 0,
        duration: window(),
        wait: window(),
        cpu: window(),
        memory: window(),
        outcomes: window(),
        retries: window(),
      };
      this.types.set(info.taskName, state);
    }
    return state;
  }
}

const attemptKey = (info: TaskAttemptInfo) => `${info.taskId}#${info.attempt}`;

/**
 * The heap in use, as `process.memoryUsage().heapUsed` reports it, without the resident-set read
 * that makes memoryUsage() cost about 10 µs a call (0.4 µs here), twice per task.
 */
function heapUsed(): number {
  return getHeapStatistics().used_heap_size;
}
