import { InvalidOptionError } from '@foreman/core';
import { SlidingWindow } from './sliding-window.js';

describe('SlidingWindow', () => {
  it('computes nearest-rank percentiles of the samples in the window', () => {
    const window = new SlidingWindow({ windowMs: 60_000, now: () => 1_000 });
    for (let value = 1; value <= 100; value++) window.record(value);
    expect(window.summary()).toEqual({
      count: 100,
      mean: 50.5,
      min: 1,
      max: 100,
      p50: 50,
      p90: 90,
      p95: 95,
      p99: 99,
    });
  });

  it('finds the nearest-rank percentiles of a sort, among repeats and in any order', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 16_807) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    for (const [count, distinct] of [
      [1, 1],
      [2, 2],
      [7, 3],
      [1_000, 5],
      [10_000, 1_000_000],
    ] as const) {
      const window = new SlidingWindow({ now: () => 0 });
      const values = Array.from({ length: count }, () => Math.floor(random() * distinct) / 8);
      for (const value of values) window.record(value);
      const sorted = [...values].sort((a, b) => a - b);
      const rank = (q: number) => sorted[Math.min(count - 1, Math.ceil(q * count) - 1)];
      expect(window.summary()).toMatchObject({
        count,
        min: sorted[0],
        max: sorted[count - 1],
        p50: rank(0.5),
        p90: rank(0.9),
        p95: rank(0.95),
        p99: rank(0.99),
      });
      expect(window.summary().mean).toBeCloseTo(values.reduce((sum, value) => sum + value, 0) / count);
    }
    const ascending = new SlidingWindow({ now: () => 0 });
    for (let value = 1_000; value >= 1; value--) ascending.record(value);
    expect(ascending.summary()).toMatchObject({ p50: 500, p99: 990 });
  });

  it('forgets samples older than the window', () => {
    let now = 0;
    const window = new SlidingWindow({ windowMs: 1_000, now: () => now });
    window.record(500);
    now = 900;
    window.record(10);
    now = 1_500;
    expect(window.samples()).toEqual([10]);
    expect(window.summary().p99).toBe(10);
  });

  it('keeps at most maxSamples, dropping the oldest', () => {
    const window = new SlidingWindow({ maxSamples: 3, now: () => 0 });
    for (const value of [1, 2, 3, 4, 5]) window.record(value);
    expect(window.samples()).toEqual([3, 4, 5]);
  });

  it('reports zeros when empty and rejects a bad capacity', () => {
    expect(new SlidingWindow().summary().count).toBe(0);
    expect(() => new SlidingWindow({ maxSamples: 0 })).toThrow(InvalidOptionError);
  });
});
