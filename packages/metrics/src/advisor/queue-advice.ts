import type { Forecast } from './linear-forecast.js';

/** What the advisor concludes about one queue, with the numbers behind it. */
export interface QueueAdvice {
  queue: string;
  windowMs: number;
  /** Tasks submitted per second over the window (λ). */
  arrivalRatePerSecond: number;
  /** Tasks finished per second over the window. */
  throughputPerSecond: number;
  /** Mean run time of a finished task (E[S]). */
  meanServiceMs: number;
  /** Live workers of the queue (from heartbeats) and their slots (replicas × concurrency). */
  workers: { replicas: number; concurrency: number; slots: number };
  /** λ·E[S] / slots: share of the slots busy; ≥ 1 means the backlog grows. null without workers. */
  utilization: number | null;
  /** Jobs waiting now. */
  backlog: number;
  suggestion: {
    targetUtilization: number;
    /** Slots needed to keep utilization at the target: ⌈λ·E[S] / target⌉. */
    slots: number;
    replicas: number;
    concurrencyPerReplica: number;
    reason: string;
  };
  /** Backlog expected `horizonMs` from now, from the trend of the window. */
  forecast: Forecast & { horizonMs: number };
}

export interface AdvisorReport {
  generatedAt: string;
  /** The queue most in need of capacity: highest utilization (or backlog growth), if any is loaded. */
  bottleneck: { queue: string; reason: string } | null;
  queues: QueueAdvice[];
}
