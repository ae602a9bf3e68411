import { getHeapStatistics } from 'node:v8';
import {
  checkWholeNumbers,
  type TaskAttemptInfo,
  type TaskAttemptOutcome,
  type TaskLifecycleListener,
} from '@foreman/core';
import type { Attributes, Gauge, Histogram, Meter } from '@opentelemetry/api';
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
  queue: string;
  /** The labels of its series, made once: OpenTelemetry hashes a label set on every record. */
  labels: Attributes;
  labelsByStatus: Record<'completed' | 'failed', Attributes>;
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
  private readonly duration: Histogram;
  private readonly wait: Histogram;
  private readonly cpu: Histogram;
  private readonly memory: Gauge;
  private readonly types = new Map<string, TaskTypeState>();
  private readonly running = new Map<string, AttemptStart>();
  private readonly windowMs: number;
  private readonly resourceSampleIntervalMs: number;
  private nextResourceSample = 0;

  constructor(private readonly options: TaskMetricsOptions) {
    const { meter } = options;
    this.windowMs = options.windowMs ?? SLIDING_WINDOW_DEFAULTS.windowMs;
    this.resourceSampleIntervalMs =
      options.resourceSampleIntervalMs ?? TASK_METRICS_DEFAULTS.resourceSampleIntervalMs;
    checkWholeNumbers('TaskMetrics', {
      windowMs: this.windowMs,
      maxSamples: options.maxSamples ?? SLIDING_WINDOW_DEFAULTS.maxSamples,
    });
    checkWholeNumbers('TaskMetrics', { resourceSampleIntervalMs: this.resourceSampleIntervalMs }, 0);
    const advice = { advice: { explicitBucketBoundaries: SECONDS_BUCKETS } };
    this.duration = meter.createHistogram('foreman_task_duration_seconds', {
      description: 'Run time of one task attempt',
      ...advice,
    });
    this.wait = meter.createHistogram('foreman_task_wait_seconds', {
      description: 'Time a task waited in its queue before an attempt started',
      ...advice,
    });
    this.cpu = meter.createHistogram('foreman_task_cpu_seconds', {
      description: 'Process CPU time (user + system) spent during one attempt, for sampled attempts',
      ...advice,
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
        for (const [task, state] of this.types) {
          const summary = state.duration.summary();
          if (summary.count === 0) continue;
          for (const quantile of QUANTILES) {
            result.observe(summary[quantile] / 1_000, { task, queue: state.queue, quantile });
          }
        }
      });
  }

  onStarted(info: TaskAttemptInfo): void {
    const now = this.options.now ? this.options.now() : performance.now();
    if (now >= this.nextResourceSample) {
      this.nextResourceSample = now + this.resourceSampleIntervalMs;
      this.running.set(attemptKey(info), { cpu: process.cpuUsage(), heap: heapUsed() });
    }
    const state = this.state(info);
    this.wait.record(info.waitMs / 1_000, state.labels);
    state.wait.record(info.waitMs);
  }

  onCompleted(outcome: TaskAttemptOutcome): void {
    const state = this.finish(outcome, 'completed');
    state.completed += 1;
    state.outcomes.record(0);
  }

  onFailed(outcome: TaskAttemptOutcome): void {
    const state = this.finish(outcome, 'failed');
    if (outcome.final) {
      state.failed += 1;
      state.outcomes.record(1);
    } else {
      state.retried += 1;
      state.retries.record(1);
    }
  }

  /** Per task type seen by this process, over the sliding window. */
  summaries(): TaskTypeSummary[] {
    return [...this.types].map(([task, state]) => {
      const outcomes = state.outcomes.samples();
      const failed = outcomes.filter((value) => value === 1).length;
      return {
        task,
        queue: state.queue,
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

  private finish(outcome: TaskAttemptOutcome, status: 'completed' | 'failed'): TaskTypeState {
    const state = this.state(outcome);
    const attributes = state.labels;
    this.duration.record(outcome.durationMs / 1_000, state.labelsByStatus[status]);
    state.duration.record(outcome.durationMs);
    // Most attempts are not sampled: no key to build for them.
    const start = this.running.size === 0 ? undefined : this.running.get(attemptKey(outcome));
    if (start) {
      this.running.delete(attemptKey(outcome));
      const cpu = process.cpuUsage(start.cpu);
      const cpuMs = (cpu.user + cpu.system) / 1_000;
      const heapDelta = heapUsed() - start.heap;
      this.cpu.record(cpuMs / 1_000, attributes);
      this.memory.record(heapDelta, attributes);
      state.cpu.record(cpuMs);
      state.memory.record(heapDelta);
    }
    return state;
  }

  private state(info: TaskAttemptInfo): TaskTypeState {
    let state = this.types.get(info.taskName);
    if (!state) {
      const window = () =>
        new SlidingWindow({
          windowMs: this.windowMs,
          ...(this.options.maxSamples ? { maxSamples: this.options.maxSamples } : {}),
          ...(this.options.now ? { now: this.options.now } : {}),
        });
      const labels = { task: info.taskName, queue: info.queue };
      state = {
        queue: info.queue,
        labels,
        labelsByStatus: {
          completed: { ...labels, status: 'completed' },
          failed: { ...labels, status: 'failed' },
        },
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
