import { bulkDrainWorkload } from './workloads/bulk-drain.js';
import { soakWorkload } from './workloads/soak.js';
import { steadyLatencyWorkload } from './workloads/steady-latency.js';
import type { Workload } from './workloads/workload.js';

export const BENCH_MODES = ['short', 'default', 'full'] as const;
export type BenchMode = (typeof BENCH_MODES)[number];

interface Sizes {
  noop: number;
  io: number;
  steadySeconds: number;
  /** Cap on the steady rate; keeps the short run tiny. */
  steadyMaxRate: number;
  soak: number;
  soakChunk: number;
  soakWindow: number;
  /** How often the soak samples the worker's RSS: often enough for a short run to judge it. */
  soakSampleMs: number;
}

/**
 * short: seconds, what the test suite runs; default: a few minutes on two cores;
 * full: the sizes the benchmark issue names (50k, 10k, 60 s, 1M).
 */
export const SIZES: Record<BenchMode, Sizes> = {
  short: {
    noop: 300,
    io: 200,
    steadySeconds: 2,
    steadyMaxRate: 100,
    soak: 2_000,
    soakChunk: 500,
    soakWindow: 1_000,
    soakSampleMs: 25,
  },
  default: {
    noop: 20_000,
    io: 5_000,
    steadySeconds: 20,
    steadyMaxRate: 100_000,
    soak: 100_000,
    soakChunk: 1_000,
    soakWindow: 5_000,
    soakSampleMs: 500,
  },
  full: {
    noop: 50_000,
    io: 10_000,
    steadySeconds: 60,
    steadyMaxRate: 100_000,
    soak: 1_000_000,
    soakChunk: 1_000,
    soakWindow: 5_000,
    soakSampleMs: 500,
  },
};

/** The four workloads at a mode's sizes; the soak runs only for `soakContenders`. */
export function standardWorkloads(mode: BenchMode, soakContenders: string[]): Workload[] {
  const sizes = SIZES[mode];
  return [
    bulkDrainWorkload({
      id: 'noop',
      title: '1. No-op tasks, bulk submit then drain',
      kind: 'noop',
      count: sizes.noop,
    }),
    bulkDrainWorkload({
      id: 'io',
      title: '2. Realistic tasks (1 KB payload, 5 ms of I/O), bulk submit then drain',
      kind: 'io',
      count: sizes.io,
    }),
    steadyLatencyWorkload({
      id: 'latency',
      title: '3. Latency at steady load (half of capacity)',
      seconds: sizes.steadySeconds,
      capacityFrom: 'io',
      loadFraction: 0.5,
      maxRatePerSec: sizes.steadyMaxRate,
    }),
    soakWorkload({
      id: 'soak',
      title: '4. Soak: no-op tasks through one worker process, RSS sampled',
      count: sizes.soak,
      chunk: sizes.soakChunk,
      window: sizes.soakWindow,
      sampleMs: sizes.soakSampleMs,
      warmupFraction: 0.2,
      contenders: soakContenders,
    }),
  ];
}
