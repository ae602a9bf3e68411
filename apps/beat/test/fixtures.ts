import { declareSchedule, defineTask, TaskRegistry } from '@foreman/core';
import { createTestRedis, type TestRedis } from '@foreman/core/testing';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { z } from 'zod';
import { type Beat, startBeat } from '../src/beat.js';

export const tick = defineTask({
  name: 'beat_test.tick',
  queue: 'beat-test',
  payload: z.object({ label: z.string() }),
  result: z.object({ label: z.string() }),
  retry: { attempts: 1 },
});

export const everySecond = declareSchedule({
  id: 'beat-test.cron-every-second',
  task: tick,
  payload: { label: 'cron' },
  cron: '* * * * * *',
});

export const intervalSecond = declareSchedule({
  id: 'beat-test.interval-second',
  task: tick,
  payload: { label: 'interval' },
  everyMs: 1_000,
});

/** Redis prefix and database schema of one test file, and beats that share them. */
export async function beatHarness(label: string) {
  const redis: TestRedis = await createTestRedis(label);
  const database: TestDatabase = await createTestDatabase(label);
  const beats = new Set<Beat>();
  const env = {
    REDIS_URL: redis.url,
    QUEUE_PREFIX: redis.prefix,
    DATABASE_URL: database.url,
    DATABASE_SCHEMA: database.schema,
    HEALTH_PORT: '0',
    LOG_LEVEL: 'silent',
    SCHEDULE_SYNC_MS: '200',
  };
  return {
    redis,
    database,
    registry: new TaskRegistry([tick]),
    async start(declarations = [everySecond, intervalSecond]): Promise<Beat> {
      const beat = await startBeat({ env, declarations, registry: new TaskRegistry([tick]) });
      beats.add(beat);
      return beat;
    },
    async stop(beat: Beat): Promise<void> {
      beats.delete(beat);
      await beat.stop();
    },
    async close() {
      await Promise.all([...beats].map((beat) => beat.stop()));
      await redis.cleanup();
      await database.drop();
    },
  };
}
