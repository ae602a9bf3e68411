import { CronExpressionParser } from 'cron-parser';
import { ScheduleTimingError } from '../errors/schedule-timing-error.js';

/** Shortest interval of an interval schedule. */
export const MIN_EVERY_MS = 1_000;

export interface ScheduleTiming {
  cron?: string | null | undefined;
  timezone?: string | null | undefined;
  everyMs?: number | null | undefined;
}

/** Checks that a schedule has exactly one of a valid cron (in a real IANA zone) or an interval. */
export function validateTiming(id: string, timing: ScheduleTiming): void {
  const hasCron = timing.cron !== undefined && timing.cron !== null;
  const hasEvery = timing.everyMs !== undefined && timing.everyMs !== null;
  if (hasCron === hasEvery) throw new ScheduleTimingError(id, 'needs exactly one of cron or everyMs');
  if (hasEvery && !(Number.isInteger(timing.everyMs) && (timing.everyMs as number) >= MIN_EVERY_MS)) {
    throw new ScheduleTimingError(id, `everyMs must be a whole number of at least ${MIN_EVERY_MS}`);
  }
  const timezone = timing.timezone ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new ScheduleTimingError(id, `"${timezone}" is not an IANA timezone`);
  }
  if (hasCron) {
    try {
      CronExpressionParser.parse(timing.cron as string, { tz: timezone, strict: false });
    } catch (error) {
      throw new ScheduleTimingError(
        id,
        `cron "${timing.cron}" is invalid: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
