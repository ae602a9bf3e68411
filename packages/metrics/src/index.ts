export { type Forecast, linearForecast } from './advisor/linear-forecast.js';
export type { AdvisorReport, QueueAdvice } from './advisor/queue-advice.js';
export { QueueAdvisor, type QueueAdvisorOptions } from './advisor/queue-advisor.js';
export { SUMMARY_CSV_COLUMNS, summariesToCsv, summariesToJson } from './export/summaries-export.js';
export {
  FairnessMetrics,
  type FairnessMetricsOptions,
  type FairnessReport,
  type UserFairness,
} from './fairness/fairness-metrics.js';
export {
  type Heartbeat,
  heartbeatKey,
  readHeartbeats,
  WORKER_HEARTBEAT_DEFAULTS,
  WorkerHeartbeat,
  type WorkerHeartbeatOptions,
} from './heartbeat/worker-heartbeat.js';
export { metricsRoutes } from './http/metrics-routes.js';
export { MetricsRegistry, type MetricsRegistryOptions, PROMETHEUS_CONTENT_TYPE } from './metrics-registry.js';
export { DeadLetterCounts, type DeadLetterCountsOptions } from './queue/dead-letter-counts.js';
export { QUEUE_JOB_STATES, type QueueDepth } from './queue/queue-depth.js';
export { QueueMetrics, type QueueMetricsOptions } from './queue/queue-metrics.js';
export { ServiceMetrics, type ServiceMetricsOptions } from './service-metrics.js';
export { HostMetrics, type HostMetricsOptions } from './system/host-metrics.js';
export { ProcessMetrics } from './system/process-metrics.js';
export { TASK_METRICS_DEFAULTS, TaskMetrics, type TaskMetricsOptions } from './task/task-metrics.js';
export { TaskRecordStats } from './task/task-record-stats.js';
export type { TaskTypeSummary } from './task/task-type-summary.js';
export {
  type PercentileSummary,
  SLIDING_WINDOW_DEFAULTS,
  SlidingWindow,
  type SlidingWindowOptions,
} from './window/sliding-window.js';
export { WorkerMetrics, type WorkerMetricsOptions } from './worker-metrics.js';
