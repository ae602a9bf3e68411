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

  it('drains every task with metrics off and on and reports both throughputs', async () => {
    const result = await runOverhead({
      redis: redis.redis,
      prefix: redis.prefix,
      db: database.database.db,
      tasks: 100,
      rounds: 1,
      concurrency: 4,
    });
    expect(result.off.map((run) => run.tasks)).toEqual([100]);
    expect(result.on.map((run) => run.tasks)).toEqual([100]);
    expect(Number.isFinite(result.overheadPercent)).toBe(true);
  });
});
