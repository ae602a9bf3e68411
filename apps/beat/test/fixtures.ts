import {
  declareSchedule,
  defineTask,
  implementTask,
  type ScheduleDeclaration,
  TaskRegistry,
  TaskWorker,
} from '@foreman/core';
import { createTestRedis, createTestRuntime, type TestRedis } from '@foreman/core/testing';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { createLogger } from '@foreman/logger';
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

const logger = createLogger('test', { level: 'silent' });

/** A worker of the tick queue: it answers with its label and the keys of its workflow parents. */
export interface TickWorker {
  /** Task ids in the order their attempts started. */
  readonly started: string[];
  start(): Promise<void>;
}

/** Redis prefix and database schema of one test file, and beats that share them. */
export async function beatHarness(label: string) {
  const redis: TestRedis = await createTestRedis(label);
  const database: TestDatabase = await createTestDatabase(label);
  const beats = new Set<Beat>();
  const closers: Array<() => Promise<void>> = [];
  const env = {
    REDIS_URL: redis.url,
    QUEUE_PREFIX: redis.prefix,
    DATABASE_URL: database.url,
    DATABASE_SCHEMA: database.schema,
    HEALTH_PORT: '0',
    LOG_LEVEL: 'silent',
    SCHEDULE_TICK_MS: '100',
  };
  return {
    redis,
    database,
    registry: new TaskRegistry([tick]),
    async start(
      declarations: readonly ScheduleDeclaration[] = [everySecond, intervalSecond],
      extraEnv: Record<string, string> = {},
    ): Promise<Beat> {
      const beat = await startBeat({
        env: { ...env, ...extraEnv },
        declarations,
        registry: new TaskRegistry([tick]),
      });
      beats.add(beat);
      return beat;
    },
    async stop(beat: Beat): Promise<void> {
      beats.delete(beat);
      await beat.stop();
    },
    tickWorker(): TickWorker {
      const started: string[] = [];
      return {
        started,
        start: async () => {
          // Like a worker app's runtime, it projects the stream's rows too: records land while no beat runs.
          const runtime = await createTestRuntime({
            redis,
            database,
            registry: new TaskRegistry([tick]),
            logger,
          });
          const worker = new TaskWorker({
            queue: tick.queue,
            tasks: [
              implementTask(tick, async ({ label }, context) => ({
                label: context.workflow
                  ? `${label}<-${Object.keys(context.workflow.parents).join(',')}`
                  : label,
              })),
            ],
            connection: redis.redis,
            prefix: redis.prefix,
            events: runtime.events,
            records: runtime.records,
            logger,
            concurrency: 4,
            listeners: [{ onStarted: (info) => void started.push(info.taskId) }],
          });
          closers.push(async () => {
            await worker.close();
            await runtime.stop();
          });
          await worker.start();
        },
      };
    },
    async close() {
      for (const close of closers) await close();
      await Promise.all([...beats].map((beat) => beat.stop()));
      await redis.cleanup();
      await database.drop();
    },
  };
}
