import { eq, tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { z } from 'zod';
import { userSubmitter } from '../src/client/submitter.js';
import { TaskWaitTimeoutError } from '../src/errors/task-wait-timeout-error.js';
import { taskEventsStream } from '../src/events/channels.js';
import { defineTask } from '../src/task/define-task.js';
import { implementTask } from '../src/task/implement-task.js';
import { TaskRegistry } from '../src/task/task-registry.js';
import { createTestRedis, createTestRuntime, type TestRedis, waitFor } from '../src/testing.js';
import { runWorkerApp, type WorkerApp } from '../src/worker/run-worker-app.js';

const origin = defineTask({
  name: 'runtime.origin',
  queue: 'runtime-origin',
  payload: z.object({ userId: z.string() }),
});
const followUp = defineTask({
  name: 'runtime.follow_up',
  queue: 'runtime-held',
  payload: z.object({ n: z.number() }),
});

const FAIRNESS = JSON.stringify({ 'runtime-held': { readyWindow: 1 } });

// The ai-worker case: a handler submits a task through the client its app's runtime lends it.
describe('one runtime for every process', () => {
  let redis: TestRedis;
  let database: TestDatabase;
  let app: WorkerApp;
  const submitted: string[] = [];
  const handled: string[] = [];

  beforeAll(async () => {
    redis = await createTestRedis('runtime');
    database = await createTestDatabase('runtime');
    app = await runWorkerApp({
      name: 'runtime-test-worker',
      queue: 'runtime-origin',
      registry: new TaskRegistry([origin, followUp]),
      tasks: ({ client }) => [
        implementTask(origin, async ({ userId }) => {
          handled.push(userId);
          const { taskId } = await client.submit(
            followUp,
            { n: 1 },
            { userId, submitter: userSubmitter(userId, false) },
          );
          submitted.push(taskId);
        }),
      ],
      defaults: { concurrency: 1, healthPort: 0, recordProjector: true },
      env: {
        REDIS_URL: redis.url,
        QUEUE_PREFIX: redis.prefix,
        DATABASE_URL: database.url,
        DATABASE_SCHEMA: database.schema,
        LOG_LEVEL: 'silent',
        // The follow-up's queue is fair and has no worker here: admission holds it.
        FAIRNESS,
        // As the maintenance worker has it: this process carries out completion callbacks.
        COMPLETION_DISPATCHER: 'true',
      },
      handleSignals: false,
    });
  });
  afterAll(async () => {
    await app.stop();
    await redis.cleanup();
    await database.drop();
  });

  it('records, announces and fairly admits a task a handler submits', async () => {
    // A test's runtime is built like the app's, with the same fairness.
    const runtime = await createTestRuntime({
      redis,
      database,
      registry: new TaskRegistry([origin, followUp]),
      env: { FAIRNESS },
      project: false,
    });
    await runtime.client.submit(origin, { userId: 'ada' });
    const taskId = await waitFor(() => submitted[0], { what: 'the follow-up' });

    const row = await waitFor(
      async () => (await database.database.db.select().from(tasks).where(eq(tasks.id, taskId)))[0],
      { what: 'its pending record' },
    );
    expect(row).toMatchObject({
      name: 'runtime.follow_up',
      status: 'pending',
      userId: 'ada',
      payload: { n: 1 },
    });
    const entries = await redis.redis.xrange(taskEventsStream(redis.prefix), '-', '+');
    const events = entries.map(([, fields]) => JSON.parse(fields[1]!) as { type: string; taskId: string });
    expect(events).toContainEqual(expect.objectContaining({ type: 'submitted', taskId }));
    expect(await runtime.fairness.holds('runtime-held', taskId)).toBe(true);
    // Waiting on it reads admission too: it is pending there, not missing.
    await expect(runtime.client.waitFor({ taskId }, { timeoutMs: 100 })).rejects.toBeInstanceOf(
      TaskWaitTimeoutError,
    );
    await runtime.stop();
  });

  it('runs a completion dispatcher when COMPLETION_DISPATCHER is on: a link runs', async () => {
    const runtime = await createTestRuntime({
      redis,
      database,
      registry: new TaskRegistry([origin]),
      project: false,
    });
    await runtime.client.submit(
      origin,
      { userId: 'bo' },
      { link: [{ name: 'runtime.origin', payload: { userId: 'cy' } }] },
    );
    await waitFor(() => (handled.includes('cy') ? true : undefined), { what: 'the linked task' });
    expect(handled.filter((userId) => userId === 'cy')).toHaveLength(1);
    await runtime.stop();
  });
});
