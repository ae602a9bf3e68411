import { percentiles } from './percentiles.js';

describe('percentiles', () => {
  it('uses nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentiles(values)).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
  });

  it('handles one value and no values', () => {
    expect(percentiles([7])).toEqual({ count: 1, p50: 7, p95: 7, p99: 7, max: 7 });
    expect(percentiles([])).toBeUndefined();
  });
});
