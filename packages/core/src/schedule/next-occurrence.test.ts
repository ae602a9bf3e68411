import { nextCronOccurrence } from './next-occurrence.js';

const local = (millis: number, timezone: string) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone: timezone,
    dateStyle: 'short',
    timeStyle: 'short',
    hourCycle: 'h23',
  }).format(millis);

function occurrences(pattern: string, timezone: string, fromIso: string, count: number): number[] {
  const fires: number[] = [];
  let at = Date.parse(fromIso);
  for (let i = 0; i < count; i += 1) {
    at = nextCronOccurrence(at, pattern, timezone);
    fires.push(at);
  }
  return fires;
}

// Each case spans a transition: the spring one removes a local hour, the autumn one repeats it.
const cases = [
  { timezone: 'Europe/Berlin', pattern: '30 2 * * *', spring: '2026-03-27', autumn: '2026-10-23' },
  { timezone: 'Europe/Berlin', pattern: '0 8 * * *', spring: '2026-03-27', autumn: '2026-10-23' },
  { timezone: 'America/New_York', pattern: '30 2 * * *', spring: '2026-03-06', autumn: '2026-10-30' },
  { timezone: 'America/New_York', pattern: '30 1 * * *', spring: '2026-03-06', autumn: '2026-10-30' },
];

describe('nextCronOccurrence across daylight-saving transitions', () => {
  it.each(
    cases.flatMap((c) => [
      { ...c, from: c.spring },
      { ...c, from: c.autumn },
    ]),
  )('runs $pattern in $timezone once a day from $from', ({ timezone, pattern, from }) => {
    const fires = occurrences(pattern, timezone, `${from}T00:00:00Z`, 5);
    const days = fires.map((fire) => local(fire, timezone).slice(0, 10));
    expect(new Set(days).size).toBe(5);
    const first = Date.parse(`${from}T12:00:00Z`);
    // Five consecutive local days, none skipped.
    expect(days).toEqual(
      [0, 1, 2, 3, 4].map((day) => local(first + day * 86_400_000, timezone).slice(0, 10)),
    );
  });

  it.each(
    cases.flatMap((c) => [
      { ...c, from: c.spring },
      { ...c, from: c.autumn },
    ]),
  )(
    'asked at any moment, the next run of $pattern in $timezone from $from is a real occurrence',
    ({ timezone, pattern, from }) => {
      const start = Date.parse(`${from}T00:00:00Z`);
      const fires = occurrences(pattern, timezone, new Date(start - 86_400_000).toISOString(), 6);
      // A restarted beat or a late worker computes the next run from "now": never a second pass.
      for (let now = start; now < start + 3 * 86_400_000; now += 15 * 60_000) {
        const next = nextCronOccurrence(now, pattern, timezone);
        expect(fires).toContain(next);
        expect(next).toBeGreaterThan(now);
      }
    },
  );

  it('keeps both passes of the repeated hour for patterns without fixed hours', () => {
    const fires = occurrences('*/30 * * * *', 'Europe/Berlin', '2026-10-24T22:00:00Z', 50);
    // 25 hours of half-hourly runs on the day clocks go back, evenly spaced in real time.
    expect(fires[fires.length - 1]! - fires[0]!).toBe(49 * 30 * 60_000);
  });
});
