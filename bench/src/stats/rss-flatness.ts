import type { RssSample } from '../infra/rss.js';

export interface RssFlatness {
  /** Tasks treated as warm-up; samples before them are left out. */
  warmupTasks: number;
  samples: number;
  /** Median RSS of the first tenth of the samples after warm-up. */
  baselineMb: number;
  /** Median RSS of the last tenth of the samples. */
  endMb: number;
  maxMb: number;
  /** End against baseline, in percent: the trend. */
  driftPct: number;
  /** Highest sample against baseline, in percent: what "flat within 10%" is judged on. */
  maxAbovePct: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};

/** How flat a worker's RSS stayed over a soak once `warmupFraction` of its tasks were done. */
export function rssFlatness(
  samples: RssSample[],
  total: number,
  warmupFraction = 0.2,
): RssFlatness | undefined {
  const warmupTasks = Math.round(total * warmupFraction);
  const steady = samples.filter((sample) => sample.done >= warmupTasks && sample.done < total);
  if (steady.length < 2) return undefined;
  const tenth = Math.max(1, Math.floor(steady.length / 10));
  const baselineMb = median(steady.slice(0, tenth).map((sample) => sample.rssMb));
  const endMb = median(steady.slice(-tenth).map((sample) => sample.rssMb));
  const maxMb = Math.max(...steady.map((sample) => sample.rssMb));
  return {
    warmupTasks,
    samples: steady.length,
    baselineMb,
    endMb,
    maxMb,
    driftPct: (endMb / baselineMb - 1) * 100,
    maxAbovePct: (maxMb / baselineMb - 1) * 100,
  };
}
