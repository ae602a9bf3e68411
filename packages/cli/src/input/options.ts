import { UsageError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** A duration such as `500ms`, `30s`, `15m`, `2h` or `7d`, or plain milliseconds, in ms. */
export function parseDuration(value: string, flag: string): number {
  if (/^\d+$/.test(value)) return Number(value);
  const match = DURATION.exec(value.trim());
  if (!match) throw new UsageError(`${flag} must be a duration like 30s, 15m, 2h or 7d (got "${value}")`);
  return Math.round(Number(match[1]) * (UNIT_MS[match[2] as string] as number));
}

/** A point in time: an ISO 8601 time, or a duration meaning that long ago (`1h`, `2d`). */
export function parseTime(value: string, flag: string, now = Date.now()): string {
  if (DURATION.test(value.trim())) return new Date(now - parseDuration(value, flag)).toISOString();
  const time = Date.parse(value);
  if (Number.isNaN(time) || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    throw new UsageError(
      `${flag} must be an ISO time (2026-11-23T08:00:00Z) or an age like 1h (got "${value}")`,
    );
  }
  return new Date(time).toISOString();
}

/** A whole number within bounds. */
export function parseInteger(value: string, flag: string, min: number, max: number): number {
  const number = Number(value);
  if (!/^-?\d+$/.test(value) || number < min || number > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max} (got "${value}")`);
  }
  return number;
}
