import { maintenance, QUEUES } from '@foreman/contracts';
import type { RedisConnection } from '@foreman/core/producer';
import { implementTask } from '@foreman/core/task';
import type { Database } from '@foreman/db';
import { readHeartbeats } from '@foreman/metrics';
import { Queue } from 'bullmq';
import { timeRedisPing } from '../probes/time-redis-ping.js';

export interface MonitorSystemHealthDeps {
  redis: RedisConnection;
  database: Database;
  prefix: string;
  heartbeatMaxAgeMs: number;
  backlogWarn: number;
}

/**
 * One look at the whole system: RedisConnection and PostgreSQL round trips, each queue's backlog, and which
 * queues have a live worker (by the heartbeats workers keep in Redis). Problems are reported in the
 * result, never thrown, so an unhealthy system still gets a record saying why.
 */
export function monitorSystemHealthTask(deps: MonitorSystemHealthDeps) {
  return implementTask(maintenance.monitorSystemHealth, async () => {
    const problems: string[] = [];
    const redisMs = await timeRedisPing(deps.redis).catch((error: Error) => {
      problems.push(`Redis unreachable: ${error.message}`);
      return null;
    });
    const databaseMs = await deps.database.ping().catch((error: Error) => {
      problems.push(`PostgreSQL unreachable: ${error.message}`);
      return null;
    });
    const queues = [];
    if (redisMs !== null) {
      const beats = await readHeartbeats(deps.redis, deps.prefix, deps.heartbeatMaxAgeMs);
      for (const name of Object.values(QUEUES)) {
        const queue = new Queue(name, { connection: deps.redis, prefix: deps.prefix });
        try {
          const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
          const row = {
            queue: name,
            workers: beats.filter((beat) => beat.queue === name).length,
            waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
            active: counts.active ?? 0,
            delayed: counts.delayed ?? 0,
            failed: counts.failed ?? 0,
          };
          if (row.workers === 0) {
            problems.push(
              `queue "${name}" has no live worker (no heartbeat within ${deps.heartbeatMaxAgeMs} ms)`,
            );
          }
          if (row.waiting > deps.backlogWarn) {
            problems.push(`queue "${name}" has ${row.waiting} waiting tasks (over ${deps.backlogWarn})`);
          }
          queues.push(row);
        } finally {
          await queue.close();
        }
      }
    }
    return {
      healthy: problems.length === 0,
      redisMs,
      databaseMs,
      queues,
      problems,
      checkedAt: new Date().toISOString(),
    };
  });
}
