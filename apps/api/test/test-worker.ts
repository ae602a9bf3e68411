import { type TaskImplementation, TaskWorker } from '@foreman/core';
import { createLogger } from '@foreman/logger';
import type { TestApi } from './test-api.js';

/** A started worker of `queue` in-process on the test api's runtime: its Redis, events and writer. */
export async function startTestWorker(
  api: TestApi,
  queue: string,
  tasks: TaskImplementation[],
): Promise<TaskWorker> {
  const worker = new TaskWorker({
    queue,
    tasks,
    connection: api.redis.redis,
    prefix: api.redis.prefix,
    events: api.runtime.events,
    records: api.records,
    logger: createLogger('worker', { level: 'silent' }),
  });
  await worker.start();
  return worker;
}
