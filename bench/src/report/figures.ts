import type { Percentiles } from '../stats/percentiles.js';
import type { RssFlatness } from '../stats/rss-flatness.js';

/** Everything measured for one contender in one workload. Rates are per second, times in ms. */
export interface RunFigures {
  /** Tasks submitted. */
  tasks: number;
  /** Tasks the worker finished; equals `tasks` unless the run stalled. */
  processed: number;
  submitSeconds: number;
  submittedPerSec: number;
  /** From the first task's start to the last task's end, as the worker saw them. */
  processSeconds: number;
  processedPerSec: number;
  /** Open-loop submission rate of a steady workload. */
  offeredRatePerSec?: number;
  latencyMs?: { submitToStart?: Percentiles; submitToComplete?: Percentiles };
  /** The worker process's CPU time (user + system) per task processed, from /proc. */
  cpuUsPerTask?: number;
  /**
   * CPU time per task, over the same span, of the contender's redis-server, of PostgreSQL, of the
   * bench process (the client that submits) and of our record projector process.
   */
  serverCpuUsPerTask?: { redis: number; postgres: number; client?: number; projector?: number };
  /** Peak resident set size of the worker process. */
  peakRssMb: number;
  rssFlatness?: RssFlatness;
  redis: { commandsPerTask: number; top: Array<{ command: string; perTask: number }> };
  /** Null for contenders that keep no records in PostgreSQL. */
  postgres: { rowsInsertedPerTask: number; rowsUpdatedPerTask: number; statementsPerTask: number } | null;
}

export type ContenderOutcome = { figures: RunFigures } | { error: string };

export interface WorkloadReport {
  id: string;
  title: string;
  size: string;
  contenders: Record<string, ContenderOutcome>;
  /** The subject's figure divided by each other contender's, keyed by that contender. */
  ratios: Record<string, Record<string, number | null>>;
}

export interface TargetReport {
  target: string;
  measured: string;
  met: boolean | null;
  note: string;
}

export interface BenchReport {
  version: 1;
  mode: string;
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; loadAverageAtStart: number[]; node: string; redis: string; platform: string };
  concurrency: number;
  subject: string;
  contenders: Array<{ name: string; version: string; description: string }>;
  workloads: WorkloadReport[];
  targets: TargetReport[];
}
