import { join } from 'node:path';
import { type Env, loadConfig, workerEnvSchema } from '@foreman/config';
import { createDatabase, type Database, migrate } from '@foreman/db';
import { createLogger, type Logger } from '@foreman/logger';
import type { Redis } from 'ioredis';
import { TaskRecordWriter } from '../records/task-record-writer.js';
import { createRedis } from '../redis/create-redis.js';
import type { TaskImplementation } from '../task/implement-task.js';
import { type HealthServer, startHealthServer } from './health-server.js';
import type { TaskLifecycleListener } from './task-lifecycle-listener.js';
import { TaskWorker } from './task-worker.js';

export interface WorkerAppOptions {
  /** Service name in logs and health reports, e.g. "email-worker". */
  name: string;
  queue: string;
  /** The queue's task implementations, built once the app's connections exist. */
  tasks: (resources: WorkerResources) => AnyTaskImplementation[];
  defaults: { concurrency: number; healthPort: number };
  env?: Env;
  /** Exit the process on SIGTERM/SIGINT after a graceful stop (off in tests). */
  handleSignals?: boolean;
  /** Extra observers of every task attempt. */
  listeners?: TaskLifecycleListener[];
}

// biome-ignore lint/suspicious/noExplicitAny: implementations of different contracts share one list
export type AnyTaskImplementation = TaskImplementation<any>;

/** Connections a worker app opens for itself, lent to task implementations that need them. */
export interface WorkerResources {
  readonly database: Database;
  readonly redis: Redis;
  readonly logger: Logger;
  readonly dataDir: string;
}

export interface WorkerApp {
  readonly worker: TaskWorker;
  readonly health: HealthServer;
  readonly database: Database;
  readonly redis: Redis;
  readonly records: TaskRecordWriter;
  readonly logger: Logger;
  stop(): Promise<void>;
}

/** Everything a worker app's main does: config, database, records, worker, health, shutdown. */
export async function runWorkerApp(options: WorkerAppOptions): Promise<WorkerApp> {
  const config = loadConfig(workerEnvSchema(options.defaults), options.env);
  const logger = createLogger(options.name, { level: config.LOG_LEVEL });
  const database = createDatabase({
    url: config.DATABASE_URL,
    schema: config.DATABASE_SCHEMA,
    dataDir: join(config.DATA_DIR, options.name, 'pglite'),
  });
  await migrate(database);
  const redis = createRedis(config.REDIS_URL);
  const records = new TaskRecordWriter({ db: database.db, logger });
  const worker = new TaskWorker({
    queue: options.queue,
    tasks: options.tasks({ database, redis, logger, dataDir: config.DATA_DIR }),
    connection: redis,
    prefix: config.QUEUE_PREFIX,
    records,
    logger,
    concurrency: config.WORKER_CONCURRENCY,
    listeners: options.listeners ?? [],
  });
  await worker.start();
  const startedAt = Date.now();
  const health = await startHealthServer(config.HEALTH_PORT, async () => ({
    service: options.name,
    queue: options.queue,
    concurrency: config.WORKER_CONCURRENCY,
    running: worker.isRunning(),
    uptimeMs: Date.now() - startedAt,
    redisMs: await timeRedisPing(redis),
    databaseMs: await database.ping(),
    records: records.stats,
  }));
  logger.info(
    {
      queue: options.queue,
      concurrency: config.WORKER_CONCURRENCY,
      healthPort: health.port,
      database: database.kind,
    },
    'worker started',
  );

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      logger.info('stopping: no new tasks, waiting for running ones');
      const grace = setTimeout(() => {
        logger.error({ graceMs: config.SHUTDOWN_GRACE_MS }, 'grace period over; forcing stop');
        void worker.close(true);
      }, config.SHUTDOWN_GRACE_MS);
      await worker.close();
      clearTimeout(grace);
      await records.close();
      await health.close();
      redis.disconnect();
      await database.close();
      logger.info('stopped');
    })();
    return stopping;
  };
  if (options.handleSignals ?? true) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        void stop().then(
          () => process.exit(0),
          (error) => {
            logger.error({ err: error }, 'unclean stop');
            process.exit(1);
          },
        );
      });
    }
  }
  return { worker, health, database, redis, records, logger, stop };
}

async function timeRedisPing(redis: Redis): Promise<number> {
  const started = performance.now();
  await redis.ping();
  return performance.now() - started;
}
