import { createRedis } from '@foreman/core';
import { testRedisUrl } from '@foreman/core/testing';
import { createTestDatabase } from '@foreman/db/testing';
import { healthCheckTask } from '../src/tasks/health-check.js';

describe('maintenance.health_check', () => {
  it('measures real round trips to Redis and PostgreSQL', async () => {
    const testDb = await createTestDatabase('maint');
    const redis = createRedis(testRedisUrl);
    try {
      const task = healthCheckTask({ redis, database: testDb.database });
      const result = await task.handler({}, {} as never);
      expect(result.redisMs).toBeGreaterThan(0);
      expect(result.databaseMs).toBeGreaterThan(0);
      expect(Date.parse(result.checkedAt)).not.toBeNaN();
    } finally {
      await redis.quit();
      await testDb.drop();
    }
  });

  it('fails when Redis cannot be reached', async () => {
    const testDb = await createTestDatabase('maint');
    const { Redis } = await import('ioredis');
    const redis = new Redis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      connectTimeout: 200,
      retryStrategy: () => null,
    });
    try {
      await expect(
        healthCheckTask({ redis, database: testDb.database }).handler({}, {} as never),
      ).rejects.toThrow();
    } finally {
      redis.disconnect();
      await testDb.drop();
    }
  });
});
