import { createTestRedis, type TestRedis } from '@foreman/core/testing';
import { deadLetters, eq } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { DeadLetterCounts, MetricsRegistry, QueueMetrics } from '../src/index.js';

describe('dead letters from the dead_letters table', () => {
  let redis: TestRedis;
  let database: TestDatabase;
  const letter = (taskId: string, queue: string, replayedAs?: string) => ({
    taskId,
    name: `${queue}.work`,
    queue,
    error: 'gave up',
    attempts: 3,
    failedAt: new Date(),
    ...(replayedAs ? { replayedAs, replayedAt: new Date() } : {}),
  });

  beforeAll(async () => {
    redis = await createTestRedis('dead-letter-gauge');
    database = await createTestDatabase('dead_letter_gauge');
    await database.database.db
      .insert(deadLetters)
      .values([
        letter('a1', 'alpha'),
        letter('a2', 'alpha'),
        letter('a3', 'alpha', 'a3-again'),
        letter('b1', 'beta'),
      ]);
  });
  afterAll(async () => {
    await redis.cleanup();
    await database.drop();
  });

  it('gauges unreplayed rows per queue, apart from BullMQ states', async () => {
    const registry = new MetricsRegistry({ service: 'dead-letter-test' });
    const metrics = new QueueMetrics({
      meter: registry.meter,
      connection: redis.redis,
      prefix: redis.prefix,
      queues: ['alpha', 'beta', 'gamma'],
      db: database.database.db,
    });
    const text = await registry.scrape();
    expect(text).toContain('foreman_dead_letters{queue="alpha"} 2');
    expect(text).toContain('foreman_dead_letters{queue="beta"} 1');
    expect(text).toContain('foreman_dead_letters{queue="gamma"} 0');
    // BullMQ's failed set is empty: the dead letters come from the table alone.
    expect(text).toContain(`foreman_queue_jobs{queue="alpha",state="failed"} 0`);
    expect(text).not.toContain('dead_letter"');
    expect(text).not.toContain('collection error');
    expect(await metrics.depths()).toEqual([
      expect.objectContaining({ queue: 'alpha', deadLetters: 2, failed: 0 }),
      expect.objectContaining({ queue: 'beta', deadLetters: 1, failed: 0 }),
      expect.objectContaining({ queue: 'gamma', deadLetters: 0 }),
    ]);
    await metrics.close();
    await registry.shutdown();
  });

  it('reuses one reading for maxAgeMs, then reads again', async () => {
    const db = database.database.db;
    const cached = new DeadLetterCounts({ db, maxAgeMs: 60_000 });
    const fresh = new DeadLetterCounts({ db, maxAgeMs: 0 });
    expect(await cached.of('beta')).toBe(1);
    await db.insert(deadLetters).values(letter('b2', 'beta'));
    expect(await cached.of('beta')).toBe(1);
    expect(await fresh.of('beta')).toBe(2);
    // Replaying a letter takes it off the gauge.
    await db
      .update(deadLetters)
      .set({ replayedAs: 'b2-again', replayedAt: new Date() })
      .where(eq(deadLetters.taskId, 'b2'));
    expect(await fresh.of('beta')).toBe(1);
  });
});
