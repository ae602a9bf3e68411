import {
  fairnessMarkdown,
  keyedOverheadMarkdown,
  runFairnessBench,
  runKeyedOverheadBench,
} from '../src/index.js';

// Keeps the fairness workload working: a small run, checked for structure and completeness.
// Its timings are printed by the bench, never asserted here.
describe('fairness workload, short', () => {
  it('runs with fairness off and on and reports each', async () => {
    const options = { bigTasks: 200, smallTasks: 5, taskMs: 1, concurrency: 4 };
    const figures = await runFairnessBench(options);
    expect(figures.map((row) => [row.fairness, row.tasks])).toEqual([
      ['off', 205],
      ['on', 205],
    ]);
    for (const row of figures) {
      expect(row.tasksPerSecond).toBeGreaterThan(0);
      expect(row.smallUserWaitMs).toBeGreaterThanOrEqual(0);
      expect(row.bigStartedMeanwhile).toBeLessThanOrEqual(200);
    }
    expect(fairnessMarkdown(figures, options)).toContain('| on |');
  });
});

// The keyed queue's overhead workload, small: both queues run every task and report.
describe('keyed queue overhead workload, short', () => {
  it('runs the same tasks through a plain and a keyed queue and reports each', async () => {
    const options = { tasks: 300, keys: 20, concurrency: 4 };
    const figures = await runKeyedOverheadBench(options);
    expect(figures.map((row) => [row.queue, row.tasks])).toEqual([
      ['plain', 300],
      ['keyed', 300],
    ]);
    for (const row of figures) {
      expect(row.tasksPerSecond).toBeGreaterThan(0);
      expect(row.cpuMsPer1000).toBeGreaterThan(0);
    }
    expect(keyedOverheadMarkdown(figures, options)).toContain('| keyed |');
  });
});
