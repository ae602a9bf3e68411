import { eq, tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Runtime } from '../src/app/create-runtime.js';
import { cancelChannel, encodeCancelRequest, taskEventsStream } from '../src/events/channels.js';
import { createRedis, type RedisConnection } from '../src/redis/create-redis.js';
import { defineTask } from '../src/task/define-task.js';
import { implementTask } from '../src/task/implement-task.js';
import { TaskRegistry } from '../src/task/task-registry.js';
import { createTestRuntime, waitFor } from '../src/testing.js';
import { TaskWorker } from '../src/worker/task-worker.js';
import { logger } from './fixtures.js';
import { type RedisServer, startRedisServer } from './redis-server.js';

const ran: string[] = [];
const noop = defineTask({ name: 'trips.noop', queue: 'trips', payload: z.object({ key: z.string() }) });
// On a queue no worker serves: no worker command joins the count.
const unserved = defineTask({ name: 'trips.unserved', queue: 'trips-unserved', payload: z.object({}) });

/**
 * Counts the commands clients send while `work` runs and until `seen` holds (MONITOR reports a
 * command after it ran, a moment later). Appends to the task-event stream count wherever they run
 * (`xadd`, also from our append script); other commands of Lua scripts (BullMQ's) are left out.
 */
async function clientCommands(
  redis: RedisConnection,
  prefix: string,
  work: () => Promise<void>,
  seen: (counts: Record<string, number>) => boolean,
): Promise<Record<string, number>> {
  const monitor = await (redis as Redis).monitor();
  const counts: Record<string, number> = {};
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const name = String(args[0]).toLowerCase();
    if (source === 'lua' && !(name === 'xadd' && args[1] === taskEventsStream(prefix))) return;
    counts[name] = (counts[name] ?? 0) + 1;
  });
  try {
    await work();
    await waitFor(() => (seen(counts) ? true : undefined), { what: 'the commands to be seen' });
  } finally {
    monitor.disconnect();
  }
  return counts;
}

// A Redis of its own, so the command counts are this test's alone.
describe('Redis round trips of a task', () => {
  let server: RedisServer;
  let redis: RedisConnection;
  let database: TestDatabase;
  let runtime: Runtime;
  let worker: TaskWorker;
  const prefix = 'trips';

  beforeAll(async () => {
    server = await startRedisServer();
    redis = createRedis(server.url);
    database = await createTestDatabase('trips');
    runtime = await createTestRuntime({
      redis: { redis, url: server.url, prefix },
      database,
      registry: new TaskRegistry([noop, unserved]),
      logger,
    });
    const { events, records } = runtime;
    worker = new TaskWorker({
      queue: 'trips',
      tasks: [implementTask(noop, ({ key }) => void ran.push(key))],
      connection: redis,
      prefix,
      events,
      records,
      logger,
      concurrency: 4,
    });
    await worker.start();
  }, 60_000);
  afterAll(async () => {
    await worker.close();
    await runtime.stop();
    redis.disconnect();
    await database.drop();
    await server.stop();
  });

  const status = async (taskId: string) =>
    (await database.database.db.select().from(tasks).where(eq(tasks.id, taskId)))[0]?.status;

  it('sends no cancel-marker read and no pub/sub message for a task that is not cancelled', async () => {
    const counts = await clientCommands(
      redis,
      prefix,
      async () => {
        const submitted = await runtime.client.submitBulk(
          Array.from({ length: 50 }, (_, i) => ({ name: 'trips.noop', payload: { key: `n${i}` } })),
        );
        await waitFor(
          async () => ((await status(submitted.at(-1)!.taskId)) === 'completed' ? true : undefined),
          { what: 'the last task' },
        );
        // Two entries per task: submitted, and completed, which says the start of a handler that
        // ends in the turn it started (no I/O).
      },
      (counts) => (counts.xadd ?? 0) >= 100,
    );
    expect(counts.exists).toBeUndefined();
    expect(counts.publish).toBeUndefined();
    // The submit is one script call with its jobs and their `submitted` entries: no MULTI.
    expect(counts.multi).toBeUndefined();
    expect(counts.xadd).toBe(100);
  });

  it('sends a lone submit as one script call: its job and its submitted entry, no MULTI', async () => {
    const counts = await clientCommands(
      redis,
      prefix,
      async () => {
        await runtime.client.submit(unserved, {});
      },
      (counts) => (counts.xadd ?? 0) >= 1,
    );
    expect(counts.multi).toBeUndefined();
    expect(counts.xadd).toBe(1);
    // EVAL the first time the wrapped script goes over this connection, EVALSHA after.
    expect((counts.eval ?? 0) + (counts.evalsha ?? 0)).toBe(1);
  });

  it('sends a bulk as one script call: every job and its submitted entry, no MULTI', async () => {
    const counts = await clientCommands(
      redis,
      prefix,
      async () => {
        await runtime.client.submitBulk(
          Array.from({ length: 20 }, () => ({ name: unserved.name, payload: {} })),
        );
      },
      (counts) => (counts.xadd ?? 0) >= 20,
    );
    expect(counts.multi).toBeUndefined();
    expect(counts.xadd).toBe(20);
    expect((counts.eval ?? 0) + (counts.evalsha ?? 0)).toBe(1);
  });

  it('does not run a task whose cancel request reached the worker before the task did', async () => {
    const { taskId } = await runtime.client.submit('trips.noop', { key: 'raced' }, { delayMs: 500 });
    // What cancel sends when it finds the task just taken by a worker: the run being started.
    await redis.publish(cancelChannel(prefix), encodeCancelRequest({ taskId, run: 1 }));
    await waitFor(async () => ((await status(taskId)) === 'cancelled' ? true : undefined), {
      what: 'the cancel',
    });
    expect(ran).not.toContain('raced');
  });

  it('runs a task whose remembered cancel request was for another run', async () => {
    const { taskId } = await runtime.client.submit('trips.noop', { key: 'later-run' }, { delayMs: 300 });
    await redis.publish(cancelChannel(prefix), encodeCancelRequest({ taskId, run: 2 }));
    await waitFor(async () => ((await status(taskId)) === 'completed' ? true : undefined), {
      what: 'the run',
    });
    expect(ran).toContain('later-run');
  });
});
