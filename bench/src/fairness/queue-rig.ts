import {
  type AnyTaskImplementation,
  FairDispatcher,
  RECORD_PROJECTOR_DEFAULTS,
  type TaskClient,
  type TaskRegistry,
  TaskWorker,
} from '@foreman/core';
import { createTestRedis, createTestRuntime } from '@foreman/core/testing';
import { createTestDatabase } from '@foreman/db/testing';
import { createLogger } from '@foreman/logger';

export interface QueueRigOptions {
  /** Names the Redis prefix, schema and logger. */
  name: string;
  registry: TaskRegistry;
  env?: Record<string, string>;
  queue: string;
  /** Run the queue's admission dispatcher beside the worker (a fair or keyed queue). */
  admission: boolean;
  tasks: AnyTaskImplementation[];
  concurrency: number;
}

export interface QueueRig {
  client: TaskClient;
  /** Starts the worker, and the dispatcher when the queue has admission. */
  start(): Promise<void>;
  /** Stops both and drops the rig's Redis keys and schema. */
  close(): Promise<void>;
}

/**
 * One in-process worker on one queue, on a fresh Redis prefix and schema, with a runtime as in the
 * api and worker processes (one client, fairness and record projection).
 */
export async function startQueueRig(options: QueueRigOptions): Promise<QueueRig> {
  const redis = await createTestRedis(`bench-${options.name}`);
  const schema = await createTestDatabase(`bench_${options.name}`);
  const logger = createLogger(`bench-${options.name}`, { level: 'silent' });
  const runtime = await createTestRuntime({
    redis,
    database: schema,
    registry: options.registry,
    logger,
    ...(options.env ? { env: options.env } : {}),
    projectorBlockMs: RECORD_PROJECTOR_DEFAULTS.blockMs,
  });
  const { client, fairness, records, events } = runtime;
  const connection = { connection: redis.redis, prefix: redis.prefix };
  const dispatcher = options.admission
    ? new FairDispatcher({ scheduler: fairness, queue: options.queue, ...connection, logger })
    : undefined;
  const worker = new TaskWorker({
    queue: options.queue,
    tasks: options.tasks,
    ...connection,
    events,
    records,
    logger,
    concurrency: options.concurrency,
    listeners: dispatcher ? [dispatcher.listener] : [],
  });
  return {
    client,
    async start() {
      await worker.start();
      dispatcher?.start();
    },
    async close() {
      await dispatcher?.stop();
      await worker.close();
      await runtime.stop();
      await redis.cleanup();
      await schema.drop();
    },
  };
}
