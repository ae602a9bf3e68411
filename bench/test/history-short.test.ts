import { testDatabaseUrl } from '@foreman/db/testing';
import { runHistoryBench, SEARCH_INDEXES } from '../src/history/run-history-bench.js';
import { copyLine, syntheticTasks } from '../src/history/synthetic-tasks.js';

// Short mode of bench:history: proves it loads, searches and writes end to end; timings are
// printed by the script, never asserted.
describe('history benchmark (short)', () => {
  const options = { users: 20, newest: new Date('2026-11-01T00:00:00Z'), spanDays: 1, seed: 7 };

  it('generates the same history from the same seed, newest first, as COPY text', () => {
    const first = [...syntheticTasks(50, options)];
    expect([...syntheticTasks(50, options)]).toEqual(first);
    expect(first.map((task) => task.createdAt.getTime())).toEqual(
      first.map((task) => task.createdAt.getTime()).sort((a, b) => b - a),
    );
    expect(new Set(first.map((task) => task.id)).size).toBe(50);
    const line = copyLine({ ...first[0]!, status: 'failed', error: 'tab\there\\ and\nline', result: null });
    expect(line.endsWith('\n')).toBe(true);
    expect(line.split('\t')).toHaveLength(15);
    expect(line).toContain('tab\\there\\\\ and\\nline');
    expect(line).toContain('\t\\N\t');
  });

  it('loads with COPY, finds each probe by id, field and words, and writes without and with the indexes', async () => {
    const figures = await runHistoryBench({
      url: testDatabaseUrl,
      rows: 3_000,
      samples: 20,
      writes: 200,
      users: 50,
    });
    expect(figures.rows).toBe(3_000);
    for (const name of SEARCH_INDEXES) expect(figures.indexBytes[name]).toBeGreaterThan(0);
    expect(figures.tableBytes).toBeGreaterThan(0);
    for (const query of Object.values(figures.queries)) expect(query.count).toBe(20);
    // One round trip by id; a list page reads one to six week ranges.
    expect(figures.statements.byId).toBe(1);
    for (const name of ['newestPage', 'payloadField', 'freeText'] as const) {
      expect(figures.statements[name]).toBeGreaterThanOrEqual(1);
      expect(figures.statements[name]).toBeLessThanOrEqual(6);
    }
    // Every probe's own words find at least itself; most probes have a payload field to find.
    expect(figures.meanMatches.freeText).toBeGreaterThanOrEqual(1);
    expect(figures.meanMatches.payloadField).toBeGreaterThan(0.5);
    for (const rate of [figures.writes.without, figures.writes.with]) {
      expect(rate.insertsPerSecond).toBeGreaterThan(0);
      expect(rate.updatesPerSecond).toBeGreaterThan(0);
    }
  });
});
