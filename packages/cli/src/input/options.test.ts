import { UsageError } from '../errors.js';
import { parseDuration, parseInteger, parseTime } from './options.js';

describe('option parsing', () => {
  it('reads durations with units or plain milliseconds', () => {
    expect(parseDuration('250', '--delay')).toBe(250);
    expect(parseDuration('500ms', '--delay')).toBe(500);
    expect(parseDuration('1.5s', '--delay')).toBe(1_500);
    expect(parseDuration('15m', '--delay')).toBe(900_000);
    expect(parseDuration('2h', '--delay')).toBe(7_200_000);
    expect(parseDuration('7d', '--delay')).toBe(604_800_000);
    expect(() => parseDuration('soon', '--delay')).toThrow(UsageError);
    expect(() => parseDuration('-5s', '--delay')).toThrow('--delay must be a duration');
  });

  it('reads times as ISO or as an age before now', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    expect(parseTime('2h', '--since', now)).toBe('2026-11-23T10:00:00.000Z');
    expect(parseTime('2026-11-20T08:30:00+01:00', '--since', now)).toBe('2026-11-20T07:30:00.000Z');
    expect(() => parseTime('yesterday', '--since', now)).toThrow('--since must be an ISO time');
    expect(() => parseTime('12', '--since', now)).toThrow(UsageError);
  });

  it('reads whole numbers within bounds', () => {
    expect(parseInteger('50', '--limit', 1, 200)).toBe(50);
    expect(() => parseInteger('0', '--limit', 1, 200)).toThrow(
      '--limit must be a whole number from 1 to 200',
    );
    expect(() => parseInteger('2.5', '--limit', 1, 200)).toThrow(UsageError);
    expect(() => parseInteger('ten', '--limit', 1, 200)).toThrow(UsageError);
  });
});
