import type { RedisConnection } from '@foreman/core';
import {
  defineTask,
  implementTask,
  RecordProjector,
  TaskClient,
  TaskEventPublisher,
  type TaskLifecycleListener,
  TaskRecordWriter,
  TaskRegistry,
  TaskWorker,
} from '@foreman/core';
import type { Db } from '@foreman/db';
import { createLogger } from '@foreman/logger';
import { z } from 'zod';

export const noop = defineTask({
  name: 'bench.noop',
  queue: 'bench-metrics',
  payload: z.object({ i: z.number() }),
  result: z.object({ i: z.number() }),
});

export interface ThroughputRun {
  tasks: number;
  seconds: number;
  tasksPerSecond: number;
}

/**
 * Submits `tasks` no-op tasks, then starts a worker (with `listeners`) and times how long it takes
 * to drain them: the worker runtime's own cost per task, which is where metrics would show.
 */
export async function measureThroughput(options: {
  redis: RedisConnection;
  prefix: string;
  db: Db;
  tasks: number;
  concurrency: number;
  listeners: TaskLifecycleListener[];
}): Promise<ThroughputRun> {
  const logger = createLogger('bench', { level: 'silent' });
  const records = new TaskRecordWriter({ db: options.db, logger });
  const client = new TaskClient({
    registry: new TaskRegistry([noop]),
    connection: options.redis,
    prefix: options.prefix,
  });
  for (let start = 0; start < options.tasks; start += 500) {
    const size = Math.min(500, options.tasks - start);
    await client.submitBulk(
      Array.from({ length: size }, (_, k) => ({ name: noop.name, payload: { i: start + k } })),
    );
  }
  let done = 0;
  let finish: () => void = () => {};
  const drained = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const counter: TaskLifecycleListener = {
    onCompleted: () => {
      done += 1;
      if (done === options.tasks) finish();
    },
  };
  const worker = new TaskWorker({
    queue: noop.queue,
    tasks: [implementTask(noop, async ({ i }) => ({ i }))],
    connection: options.redis,
    prefix: options.prefix,
    events: new TaskEventPublisher({ connection: options.redis, prefix: options.prefix }),
    records,
    logger,
    concurrency: options.concurrency,
    listeners: [...options.listeners, counter],
  });
  // As in a worker app: the rows the worker appends are stored by a projector in the process.
  const projector = new RecordProjector({
    connection: options.redis,
    prefix: options.prefix,
    records,
    logger,
  });
  const started = performance.now();
  await projector.start();
  await worker.start();
  await drained;
  const seconds = (performance.now() - started) / 1_000;
  await worker.close();
  await client.queue(noop.queue).obliterate({ force: true });
  await client.close();
  const projecting = projector.close();
  await records.close();
  await projecting;
  return { tasks: options.tasks, seconds, tasksPerSecond: options.tasks / seconds };
}
