import { type Db, sql, tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { createRedis, type RedisConnection } from '../src/redis/create-redis.js';
import { TaskRegistry } from '../src/task/task-registry.js';
import { createTestRuntime } from '../src/testing.js';
import { faultContracts, SIDE_EFFECTS_TABLE } from './fault-tasks.js';
import { logger } from './fixtures.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';

/**
 * A test's own database schema (with the side-effects table), a client on the given Redis, and
 * worker processes started with short stalled-job settings so a killed worker's tasks come back
 * within seconds.
 */
export async function faultHarness(label: string, redisUrl: string, prefix: string) {
  const database: TestDatabase = await createTestDatabase(label);
  await database.database.db.execute(SIDE_EFFECTS_TABLE);
  const redis: RedisConnection = createRedis(redisUrl);
  // Its pending rows go to the stream, for the workers' projectors (no projector runs here).
  const runtime = await createTestRuntime({
    redis: { redis, url: redisUrl, prefix },
    database,
    registry: new TaskRegistry(faultContracts),
    logger,
    project: false,
  });
  const { client, records } = runtime;
  const workers: WorkerProcess[] = [];
  const db: Db = database.database.db;
  const baseEnv = {
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    DATABASE_URL: database.url,
    DATABASE_SCHEMA: database.schema,
    WORKER_LOCK_DURATION_MS: '3000',
    WORKER_STALLED_INTERVAL_MS: '1000',
    WORKER_MAX_STALLED_COUNT: '50',
  };
  const count = async (query: ReturnType<typeof sql>) =>
    Number((await db.execute<{ n: string }>(query)).rows[0]?.n ?? 0);
  return {
    database,
    db,
    redis,
    records,
    client,
    workers,
    async startWorker(env: Record<string, string> = {}) {
      const worker = await startWorkerProcess({ ...baseEnv, ...env });
      workers.push(worker);
      return worker;
    },
    sideEffects: (like: string) => count(sql`select count(*) as n from side_effects where key like ${like}`),
    /** Records of tasks whose payload key matches, by status. */
    async statuses(like: string): Promise<Record<string, number>> {
      const { rows } = await db.execute<{ status: string; n: string }>(
        sql`select status, count(*) as n from ${tasks} where payload->>'key' like ${like} group by status`,
      );
      return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.kill()));
      await runtime.stop();
      redis.disconnect();
      await database.drop();
    },
  };
}
