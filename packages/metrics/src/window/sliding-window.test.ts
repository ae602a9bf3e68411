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
