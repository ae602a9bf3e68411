import { CronExpressionParser } from 'cron-parser';

const wallClocks = new Map<string, Intl.DateTimeFormat>();

/** The local date and time at `millis` in `timezone`, e.g. "2026-10-25 02:30:00". */
function wallClock(millis: number, timezone: string): string {
  let format = wallClocks.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('sv-SE', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    wallClocks.set(timezone, format);
  }
  return format.format(millis);
}

/** DST shifts seen in IANA zones: 30 minutes (Lord Howe), one hour, two hours. */
const SHIFTS_MS = [30 * 60_000, 60 * 60_000, 120 * 60_000];

/** True when the local time at `millis` already happened earlier (the repeated hour after clocks go back). */
function isRepeatedWallTime(millis: number, timezone: string): boolean {
  const local = wallClock(millis, timezone);
  return SHIFTS_MS.some((shift) => wallClock(millis - shift, timezone) === local);
}

/** A pattern pinned to particular hours (a daily 02:30) runs once a day; `* * * * *` runs in both passes. */
function hasFixedHour(pattern: string): boolean {
  const trimmed = pattern.trim();
  if (trimmed.startsWith('@')) return trimmed !== '@hourly';
  const fields = trimmed.split(/\s+/);
  const hour = fields.length === 6 ? fields[2] : fields[1];
  return hour !== undefined && !hour.startsWith('*');
}

/**
 * The first occurrence of a cron pattern after `afterMillis` in an IANA timezone. When clocks go
 * forward a local time that does not exist runs in the following hour (cron-parser's rule); when
 * they go back, a pattern with fixed hours skips the second pass of the repeated hour, so a daily
 * run is neither skipped nor doubled, whenever the next occurrence is computed.
 */
export function nextCronOccurrence(afterMillis: number, pattern: string, timezone = 'UTC'): number {
  let from = afterMillis;
  for (;;) {
    const next = CronExpressionParser.parse(pattern, { currentDate: new Date(from), tz: timezone })
      .next()
      .getTime();
    if (!hasFixedHour(pattern) || !isRepeatedWallTime(next, timezone)) return next;
    from = next;
  }
}

/** When a schedule fires: a cron pattern in an IANA timezone, or a fixed interval. */
export type OccurrenceTiming =
  | { cron: string; timezone?: string | null | undefined; everyMs?: null | undefined }
  | { everyMs: number; cron?: null | undefined; timezone?: string | null | undefined };

/**
 * The first occurrence of a schedule strictly after `afterMillis`: cron patterns through
 * `nextCronOccurrence`, intervals aligned to the epoch (every minute on the minute).
 */
export function nextOccurrence(timing: OccurrenceTiming, afterMillis: number): number {
  if (timing.cron !== undefined && timing.cron !== null) {
    return nextCronOccurrence(afterMillis, timing.cron, timing.timezone ?? 'UTC');
  }
  const every = timing.everyMs as number;
  return (Math.floor(afterMillis / every) + 1) * every;
}
