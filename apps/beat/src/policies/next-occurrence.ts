import { CronExpressionParser } from 'cron-parser';

/** When a schedule fires: a cron pattern (with an IANA timezone) or a fixed interval. */
export type ScheduleTiming = { cron: string; timezone?: string | undefined } | { everyMs: number };

/** The first occurrence strictly after `afterMs`. Intervals are aligned to the epoch, as BullMQ's are. */
export function nextOccurrence(timing: ScheduleTiming, afterMs: number): number {
  if ('everyMs' in timing) return (Math.floor(afterMs / timing.everyMs) + 1) * timing.everyMs;
  return CronExpressionParser.parse(timing.cron, {
    currentDate: new Date(afterMs),
    tz: timing.timezone ?? 'UTC',
  })
    .next()
    .getTime();
}
