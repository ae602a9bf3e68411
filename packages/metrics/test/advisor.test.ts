import { randomUUID } from 'node:crypto';
import { createTestRedis, type TestRedis } from '@foreman/core/testing';
import { type NewTaskRecord, tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { Queue } from 'bullmq';
import { QueueAdvisor, WorkerHeartbeat } from '../src/index.js';

const MINUTE = 60_000;

describe('QueueAdvisor on recorded tasks, live heartbeats and queues', () => {
  let redis: TestRedis;
  let database: TestDatabase;
  const beats: WorkerHeartbeat[] = [];
  const now = Date.now();

  beforeAll(async () => {
    redis = await createTestRedis('advisor');
    database = await createTestDatabase('advisor');
    const rows: NewTaskRecord[] = [];
    const finished = (queue: string, count: number, durationMs: number) => {
      for (let i = 0; i < count; i++) {
        const created = now - 15 * MINUTE + (i * 15 * MINUTE) / count + 1_000;
        rows.push({
          id: randomUUID(),
          name: `${queue}.task`,
          queue,
          status: 'completed',
          createdAt: new Date(created),
          startedAt: new Date(created),
          completedAt: new Date(created + durationMs),
          durationMs,
        });
      }
    };
    // calm: 60 tasks of 3 s in 15 min = 0.0667/s x 3 s = 0.2 busy slots.
    finished('calm', 60, 3_000);
    // hot: 600 tasks of 6 s = 0.667/s x 6 s = 4 busy slots, on 2 slots.
    finished('hot', 570, 6_000);
    // ... and 30 more still waiting, one every 30 s: the backlog grows by 2 a minute.
    for (let i = 0; i < 30; i++) {
      rows.push({
        id: randomUUID(),
        name: 'hot.task',
        queue: 'hot',
        status: 'pending',
        createdAt: new Date(now - 15 * MINUTE + (i + 1) * 30_000 - 1_000),
      });
    }
    await database.database.db.insert(tasks).values(rows);
    const hot = new Queue('hot', { connection: redis.redis, prefix: redis.prefix });
    await hot.addBulk(Array.from({ length: 30 }, (_, i) => ({ name: 'hot.task', data: { i } })));
    await hot.close();
    for (const [queue, concurrency] of [
      ['calm', 1],
      ['hot', 2],
    ] as const) {
      const beat = new WorkerHeartbeat({
        redis: redis.redis,
        prefix: redis.prefix,
        service: `${queue}-worker`,
        queue,
        concurrency,
      });
      await beat.start();
      beats.push(beat);
    }
  });
  afterAll(async () => {
    for (const beat of beats) await beat.stop();
    await redis.cleanup();
    await database.drop();
  });

  it('finds the bottleneck and suggests capacity with the numbers behind it', async () => {
    const advisor = new QueueAdvisor({
      db: database.database.db,
      redis: redis.redis,
      prefix: redis.prefix,
      queues: ['calm', 'hot'],
    });
    const report = await advisor.report(now);
    const [calm, hot] = report.queues;
    expect(report.bottleneck?.queue).toBe('hot');
    expect(report.bottleneck?.reason).toContain('utilization 200%');

    expect(calm?.arrivalRatePerSecond).toBeCloseTo(60 / 900, 3);
    expect(calm?.meanServiceMs).toBe(3_000);
    expect(calm?.utilization).toBeCloseTo(0.2, 2);
    expect(calm?.suggestion).toMatchObject({ slots: 1, replicas: 1, concurrencyPerReplica: 1 });

    expect(hot?.arrivalRatePerSecond).toBeCloseTo(600 / 900, 3);
    expect(hot?.workers).toEqual({ replicas: 1, concurrency: 2, slots: 2 });
    expect(hot?.utilization).toBeCloseTo((570 * 6) / 900 / 2 + (30 * 6) / 900 / 2, 1);
    // 4 busy slots at 70% target: 6 slots, 3 replicas of concurrency 2.
    expect(hot?.suggestion).toMatchObject({ slots: 6, replicas: 3, concurrencyPerReplica: 2 });
    expect(hot?.suggestion.reason).toContain('6 slots = 3 × concurrency 2');
  });

  it('forecasts the backlog from its trend with a 95% interval', async () => {
    const advisor = new QueueAdvisor({
      db: database.database.db,
      redis: redis.redis,
      prefix: redis.prefix,
      queues: ['hot'],
    });
    const [hot] = (await advisor.report(now)).queues;
    expect(hot?.backlog).toBe(30);
    expect((hot?.forecast.slopePerSecond ?? 0) * 60).toBeGreaterThan(1.5);
    expect((hot?.forecast.slopePerSecond ?? 0) * 60).toBeLessThan(2.5);
    // 15 more minutes at ~2/min on top of 30.
    expect(hot?.forecast.value).toBeGreaterThan(50);
    expect(hot?.forecast.value).toBeLessThan(70);
    // A perfectly steady trend gives a zero-width interval; it never excludes the forecast itself.
    expect(hot?.forecast.lower).toBeLessThanOrEqual(hot?.forecast.value as number);
    expect(hot?.forecast.upper).toBeGreaterThanOrEqual(hot?.forecast.value as number);
    expect(hot?.forecast.confidence).toBe(0.95);
  });
});
