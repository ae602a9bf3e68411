import { maintenance } from '@foreman/contracts';
import { implementTask, type WorkerResources } from '@foreman/core/task';
import { timeRedisPing } from '../probes/time-redis-ping.js';

/** Measures the round trip to Redis and PostgreSQL from where the workers run. */
export function healthCheckTask({ redis, database }: Pick<WorkerResources, 'redis' | 'database'>) {
  return implementTask(maintenance.healthCheck, async () => {
    const redisMs = await timeRedisPing(redis);
    const databaseMs = await database.ping();
    return { redisMs, databaseMs, checkedAt: new Date().toISOString() };
  });
}
