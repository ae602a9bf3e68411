import type { PercentileSummary } from '../window/sliding-window.js';

/** What happened to one task type over a window: counts, failure rate and timing percentiles (ms). */
export interface TaskTypeSummary {
  task: string;
  queue: string;
  windowMs: number;
  completed: number;
  failed: number;
  retried: number;
  /** Final failures over finished tasks in the window, 0..1. */
  failureRate: number;
  durationMs: PercentileSummary;
  waitMs: PercentileSummary;
  /** Mean CPU time of the process per attempt; tasks running side by side share it. */
  cpuMs: number;
  /** Mean change of the process heap per attempt. */
  memoryDeltaBytes: number;
}
