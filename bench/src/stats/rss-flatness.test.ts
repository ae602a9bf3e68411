import { rssFlatness } from './rss-flatness.js';

const series = (values: number[], total: number) =>
  values.map((rssMb, index) => ({
    atMs: index * 100,
    rssMb,
    done: Math.round((index / values.length) * total),
  }));

describe('rssFlatness', () => {
  it('leaves warm-up out and compares the rest with its start', () => {
    const values = [10, 20, 40, 45, ...Array.from({ length: 16 }, (_, i) => 50 + (i % 2))];
    const flat = rssFlatness(series(values, 2_000), 2_000)!;
    expect(flat.warmupTasks).toBe(400);
    expect(flat.baselineMb).toBe(50);
    expect(flat.maxAbovePct).toBeCloseTo(2);
  });

  it('shows growth as drift', () => {
    const values = Array.from({ length: 50 }, (_, i) => 100 + i);
    const flat = rssFlatness(series(values, 5_000), 5_000)!;
    expect(flat.driftPct).toBeGreaterThan(30);
  });

  it('needs at least two samples after warm-up', () => {
    expect(rssFlatness(series([10, 11], 100), 100, 0.9)).toBeUndefined();
  });
});
