import { maintenance } from '@foreman/contracts';
import { implementTask, type WorkerResources } from '@foreman/core';

/** Measures the round trip to Redis and PostgreSQL from where the workers run. */
export function healthCheckTask({ redis, database }: Pick<WorkerResources, 'redis' | 'database'>) {
  return implementTask(maintenance.healthCheck, async () => {
    const started = performance.now();
    await redis.ping();
    const redisMs = performance.now() - started;
    const databaseMs = await database.ping();
    return { redisMs, databaseMs, checkedAt: new Date().toISOString() };
  });
}
