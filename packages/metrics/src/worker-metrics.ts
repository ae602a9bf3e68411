import { checkWholeNumbers, type WorkerApp, type WorkerAppPlugin } from '@foreman/core';
import { WORKER_HEARTBEAT_DEFAULTS, WorkerHeartbeat } from './heartbeat/worker-heartbeat.js';
import { metricsRoutes } from './http/metrics-routes.js';
import { MetricsRegistry } from './metrics-registry.js';
import { QueueMetrics } from './queue/queue-metrics.js';
import { RecordMetrics } from './records/record-metrics.js';
import { HostMetrics } from './system/host-metrics.js';
import { ProcessMetrics } from './system/process-metrics.js';
import { TaskMetrics, type TaskMetricsOptions } from './task/task-metrics.js';
import { SLIDING_WINDOW_DEFAULTS } from './window/sliding-window.js';

export interface WorkerMetricsOptions {
  /**
   * Span of the in-process percentiles.
   * @defaultValue {@link SLIDING_WINDOW_DEFAULTS}.windowMs
   */
  windowMs?: number;
  /**
   * Period of the worker's heartbeat in Redis.
   * @defaultValue {@link WORKER_HEARTBEAT_DEFAULTS}.intervalMs
   */
  heartbeatMs?: number;
}

/**
 * Everything a worker app measures, as a runWorkerApp plugin: task metrics from the lifecycle
 * hook, its queue's depth, its task records, process and host metrics, a heartbeat, and /metrics,
 * /metrics/summary and /metrics/summary.csv on the health port. With METRICS_ENABLED=false only
 * the heartbeat runs (the api's /workers and heartbeat alerts need it): no listener, no route.
 */
export class WorkerMetrics implements WorkerAppPlugin {
  readonly registry = new MetricsRegistry();
  readonly tasks: TaskMetrics;
  private enabled = true;
  private readonly metricsRoutes;
  private process: ProcessMetrics | undefined;
  private queue: QueueMetrics | undefined;
  private heartbeat: WorkerHeartbeat | undefined;

  constructor(private readonly options: WorkerMetricsOptions = {}) {
    // The heartbeat starts with the app: its period is checked here, with the window's.
    checkWholeNumbers('WorkerMetrics', {
      windowMs: options.windowMs ?? SLIDING_WINDOW_DEFAULTS.windowMs,
      heartbeatMs: options.heartbeatMs ?? WORKER_HEARTBEAT_DEFAULTS.intervalMs,
    });
    const taskOptions: TaskMetricsOptions = { meter: this.registry.meter };
    if (options.windowMs !== undefined) taskOptions.windowMs = options.windowMs;
    this.tasks = new TaskMetrics(taskOptions);
    this.metricsRoutes = metricsRoutes(this.registry, () => this.tasks.summaries());
  }

  configure(config: { METRICS_ENABLED: boolean }): void {
    this.enabled = config.METRICS_ENABLED;
  }

  get listeners(): TaskMetrics[] {
    return this.enabled ? [this.tasks] : [];
  }

  get routes() {
    return this.enabled ? this.metricsRoutes : {};
  }

  async start(app: WorkerApp): Promise<void> {
    if (this.enabled) {
      this.process = new ProcessMetrics(this.registry.meter);
      new HostMetrics({ meter: this.registry.meter, diskPath: app.config.DATA_DIR });
      new RecordMetrics(
        this.registry.meter,
        () => app.records.stats,
        () => app.projector?.stats,
      );
      this.queue = new QueueMetrics({
        meter: this.registry.meter,
        connection: app.redis,
        prefix: app.config.QUEUE_PREFIX,
        queues: [app.worker.queue],
        db: app.database.db,
      });
    }
    this.heartbeat = new WorkerHeartbeat({
      redis: app.redis,
      prefix: app.config.QUEUE_PREFIX,
      service: app.name,
      queue: app.worker.queue,
      concurrency: app.config.WORKER_CONCURRENCY,
      ...(this.options.heartbeatMs === undefined ? {} : { intervalMs: this.options.heartbeatMs }),
    });
    await this.heartbeat.start();
  }

  async stop(): Promise<void> {
    await this.heartbeat?.stop();
    await this.queue?.close();
    this.process?.stop();
    await this.registry.shutdown();
  }
}
