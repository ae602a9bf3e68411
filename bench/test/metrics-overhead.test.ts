import { createTestRedis, type TestRedis } from '@foreman/core/testing';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { runOverhead } from '../src/metrics-overhead/run-overhead.js';

// Short mode of the benchmark: proves it runs end to end and reports figures; timings are printed
// by `pnpm bench`, never asserted.
describe('metrics overhead benchmark (short)', () => {
  let redis: TestRedis;
  let database: TestDatabase;
  beforeAll(async () => {
    redis = await createTestRedis('bench-short');
    database = await createTestDatabase('bench_short');
  });
  afterAll(async () => {
    await redis.cleanup();
    await database.drop();
  });

  it('drains every task with metrics off and on, alternating the order, and pairs them per round', async () => {
    const result = await runOverhead({
      redis: redis.redis,
      prefix: redis.prefix,
      db: database.database.db,
      tasks: 100,
      rounds: 2,
      warmupRounds: 1,
      concurrency: 4,
      scrapeIntervalMs: 20,
    });
    // The warm-up round (off-on) is left out; the counted ones alternate.
    expect(result.rounds.map((round) => round.order)).toEqual(['on-off', 'off-on']);
    for (const round of result.rounds) {
      expect([round.off.tasks, round.on.tasks]).toEqual([100, 100]);
      expect(round.overheadPercent).toBeCloseTo(
        ((round.off.tasksPerSecond - round.on.tasksPerSecond) / round.off.tasksPerSecond) * 100,
      );
    }
    expect(result.overhead.min).toBeLessThanOrEqual(result.overhead.median);
    expect(result.overhead.median).toBeLessThanOrEqual(result.overhead.max);
    expect(Number.isFinite(result.off.median) && Number.isFinite(result.on.median)).toBe(true);
  });
});
