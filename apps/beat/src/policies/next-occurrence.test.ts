import { nextOccurrence } from './next-occurrence.js';

describe('nextOccurrence', () => {
  it('aligns intervals to the epoch and is strictly after', () => {
    expect(nextOccurrence({ everyMs: 1_000 }, 5_000)).toBe(6_000);
    expect(nextOccurrence({ everyMs: 1_000 }, 5_999)).toBe(6_000);
  });

  it('follows cron patterns in their timezone', () => {
    const at = Date.UTC(2026, 0, 1, 7, 30);
    expect(nextOccurrence({ cron: '0 8 * * *' }, at)).toBe(Date.UTC(2026, 0, 1, 8, 0));
    expect(nextOccurrence({ cron: '0 8 * * *', timezone: 'Europe/Berlin' }, at)).toBe(
      Date.UTC(2026, 0, 2, 7, 0),
    );
  });
});
