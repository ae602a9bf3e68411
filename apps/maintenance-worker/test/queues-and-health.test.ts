import { QUEUES } from '@foreman/contracts';
import { createTestRedis, type TestRedis, waitFor } from '@foreman/core/testing';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { WorkerHeartbeat } from '@foreman/metrics';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { cleanQueuesTask } from '../src/tasks/clean-queues.js';
import { monitorSystemHealthTask } from '../src/tasks/monitor-system-health.js';

const context = { signal: new AbortController().signal, progress: async () => {} } as never;

describe('queue clean-up and system health against real Redis and PostgreSQL', () => {
  let redis: TestRedis;
  let testDb: TestDatabase;
  beforeAll(async () => {
    redis = await createTestRedis('maintq');
    testDb = await createTestDatabase('maintq');
  });
  afterAll(async () => {
    await redis.cleanup();
    await testDb.drop();
  });

  it('removes finished jobs from every queue and leaves waiting ones', async () => {
    const queue = new Queue(QUEUES.email, { connection: redis.redis, prefix: redis.prefix });
    const worker = new Worker(
      QUEUES.email,
      async (job) => {
        if (job.data.fail) throw new Error('boom');
        return 'ok';
      },
      { connection: redis.redis, prefix: redis.prefix },
    );
    try {
      for (let i = 0; i < 3; i += 1) await queue.add('ok', { fail: false });
      await queue.add('bad', { fail: true }, { attempts: 1 });
      await waitFor(
        async () => {
          const counts = await queue.getJobCounts('completed', 'failed');
          return counts.completed === 3 && counts.failed === 1 ? counts : undefined;
        },
        { timeoutMs: 20_000, what: 'jobs to finish' },
      );
      await worker.close();
      await queue.add('later', { fail: false });

      const task = cleanQueuesTask({
        redis: redis.redis,
        prefix: redis.prefix,
        completedRetentionHours: 24,
        failedRetentionHours: 24,
        batchSize: 2,
      });
      const kept = await task.handler({}, context);
      expect(kept.queues.find((q) => q.queue === 'email')).toEqual({
        queue: 'email',
        completed: 0,
        failed: 0,
      });
      const result = await task.handler({ completedOlderThanHours: 0, failedOlderThanHours: 0 }, context);
      expect(result.queues.map((q) => q.queue).sort()).toEqual(Object.values(QUEUES).sort());
      expect(result.queues.find((q) => q.queue === 'email')).toEqual({
        queue: 'email',
        completed: 3,
        failed: 1,
      });
      expect(await queue.getJobCounts('completed', 'failed', 'waiting')).toEqual({
        completed: 0,
        failed: 0,
        waiting: 1,
      });
    } finally {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('reports queues without a live worker, a backlog, and an unreachable Redis, without failing', async () => {
    const beats = Object.values(QUEUES)
      .filter((queue) => queue !== QUEUES.sync)
      .map(
        (queue) =>
          new WorkerHeartbeat({
            redis: redis.redis,
            prefix: redis.prefix,
            service: `${queue}-worker`,
            queue,
            concurrency: 1,
          }),
      );
    for (const beat of beats) await beat.start();
    const backlog = new Queue(QUEUES.ai, { connection: redis.redis, prefix: redis.prefix });
    try {
      for (let i = 0; i < 3; i += 1) await backlog.add('ai.run_ai_task', {});
      const deps = {
        redis: redis.redis,
        database: testDb.database,
        prefix: redis.prefix,
        heartbeatMaxAgeMs: 30_000,
        backlogWarn: 2,
      };
      const result = await monitorSystemHealthTask(deps).handler({}, context);
      expect(result.healthy).toBe(false);
      expect(result.redisMs).toBeGreaterThan(0);
      expect(result.databaseMs).toBeGreaterThan(0);
      expect(result.queues.find((q) => q.queue === 'ai')).toMatchObject({ workers: 1, waiting: 3 });
      expect(result.problems).toEqual([
        'queue "ai" has 3 waiting tasks (over 2)',
        'queue "sync" has no live worker (no heartbeat within 30000 ms)',
      ]);

      const dead = new Redis('redis://127.0.0.1:1', {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      try {
        const down = await monitorSystemHealthTask({ ...deps, redis: dead }).handler({}, context);
        expect(down).toMatchObject({ healthy: false, redisMs: null, queues: [] });
        expect(down.problems[0]).toMatch(/^Redis unreachable/);
      } finally {
        dead.disconnect();
      }
    } finally {
      for (const beat of beats) await beat.stop();
      await backlog.obliterate({ force: true });
      await backlog.close();
    }
  });
});
