import type { ContenderOutcome, RunFigures } from './figures.js';

/** The figures compared between contenders; for each, whether a higher value is better. */
export const COMPARED: Record<
  string,
  { pick: (figures: RunFigures) => number | undefined; higherIsBetter: boolean }
> = {
  submittedPerSec: { pick: (f) => f.submittedPerSec, higherIsBetter: true },
  processedPerSec: { pick: (f) => f.processedPerSec, higherIsBetter: true },
  submitToStartP99Ms: { pick: (f) => f.latencyMs?.submitToStart?.p99, higherIsBetter: false },
  submitToCompleteP99Ms: { pick: (f) => f.latencyMs?.submitToComplete?.p99, higherIsBetter: false },
  cpuUsPerTask: { pick: (f) => f.cpuUsPerTask, higherIsBetter: false },
  redisCpuUsPerTask: { pick: (f) => f.serverCpuUsPerTask?.redis, higherIsBetter: false },
  peakRssMb: { pick: (f) => f.peakRssMb, higherIsBetter: false },
  redisCommandsPerTask: { pick: (f) => f.redis.commandsPerTask, higherIsBetter: false },
};

/** The subject's figures divided by each other contender's (null where either is missing). */
export function ratiosOf(
  subject: string,
  outcomes: Record<string, ContenderOutcome>,
): Record<string, Record<string, number | null>> {
  const mine = outcomes[subject];
  const ratios: Record<string, Record<string, number | null>> = {};
  if (!mine || !('figures' in mine)) return ratios;
  for (const [name, outcome] of Object.entries(outcomes)) {
    if (name === subject) continue;
    ratios[name] = Object.fromEntries(
      Object.entries(COMPARED).map(([key, { pick }]) => {
        const a = pick(mine.figures);
        const b = 'figures' in outcome ? pick(outcome.figures) : undefined;
        return [key, a !== undefined && b !== undefined && b > 0 ? a / b : null];
      }),
    );
  }
  return ratios;
}
