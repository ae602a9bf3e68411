import { eq, tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { createLogger, type Logger } from '@foreman/logger';
import { z } from 'zod';
import { defineTask } from '../src/task/define-task.js';
import type { TaskImplementation } from '../src/task/implement-task.js';
import { TaskRegistry } from '../src/task/task-registry.js';
import { createTestRedis, createTestRuntime, type TestRedis, waitFor } from '../src/testing.js';
import type { TaskLifecycleListener } from '../src/worker/task-lifecycle-listener.js';
import { TaskWorker, type TaskWorkerOptions } from '../src/worker/task-worker.js';

export const logger: Logger = createLogger('test', { level: 'silent' });

export const echo = defineTask({
  name: 'demo.echo',
  queue: 'demo',
  payload: z.object({ text: z.string() }),
  result: z.object({ text: z.string() }),
});

/**
 * A test's own Redis prefix and database schema, with a client, a worker on one queue and a
 * projector that stores the rows the worker appends to the event stream.
 */
export async function harness(
  label: string,
  implementations: TaskImplementation[],
  { concurrency = 2, listeners = [] as TaskLifecycleListener[], start = true } = {},
) {
  const redis: TestRedis = await createTestRedis(label);
  const database: TestDatabase = await createTestDatabase(label);
  const registry = new TaskRegistry(implementations.map((task) => task.contract));
  const runtime = await createTestRuntime({ redis, database, registry, logger });
  const { client, events, records, projector } = runtime;
  const newWorker = (options: Partial<TaskWorkerOptions> = {}) =>
    new TaskWorker({
      queue: implementations[0]!.contract.queue,
      tasks: implementations,
      connection: redis.redis,
      prefix: redis.prefix,
      events,
      records,
      logger,
      concurrency,
      listeners,
      ...options,
    });
  const worker = newWorker();
  if (start) await worker.start();
  const record = (id: string) =>
    database.database.db
      .select()
      .from(tasks)
      .where(eq(tasks.id, id))
      .then((rows) => rows[0]);
  const settled = (id: string, status: string) =>
    waitFor(
      async () => {
        const row = await record(id);
        return row?.status === status ? row : undefined;
      },
      { what: `task ${id} to be ${status}` },
    );
  return {
    redis,
    database,
    client,
    worker,
    events,
    records,
    projector,
    record,
    settled,
    /** Stops the worker and starts another on the same queue, with other tasks or settings. */
    async replaceWorker(options: Partial<TaskWorkerOptions> = {}) {
      await this.worker.close();
      this.worker = newWorker(options);
      await this.worker.start();
    },
    async close() {
      await this.worker.close();
      await runtime.stop();
      await redis.cleanup();
      await database.drop();
    },
  };
}
