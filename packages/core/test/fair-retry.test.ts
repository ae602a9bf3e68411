import { eq, tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { z } from 'zod';
import type { Runtime } from '../src/app/create-runtime.js';
import { SYSTEM_SUBMITTER, userSubmitter } from '../src/client/submitter.js';
import type { TaskClient } from '../src/client/task-client.js';
import { DeadLetterStore } from '../src/dead-letters/dead-letter-store.js';
import { FairDispatcher } from '../src/fairness/fair-dispatcher.js';
import type { FairScheduler } from '../src/fairness/fair-scheduler.js';
import { defineTask } from '../src/task/define-task.js';
import { implementTask } from '../src/task/implement-task.js';
import { TaskRegistry } from '../src/task/task-registry.js';
import { createTestRedis, createTestRuntime, type TestRedis, waitFor } from '../src/testing.js';
import { TaskWorker } from '../src/worker/task-worker.js';
import { logger } from './fixtures.js';

// A retried task and a replayed dead letter take their turn through fair admission like a submit:
// while their user is at its concurrency they wait, and BullMQ does not hold them.
const flaky = defineTask({
  name: 'fair_retry.flaky',
  queue: 'fair-retry',
  payload: z.object({ label: z.string() }),
  retry: { attempts: 1 },
});

let redis: TestRedis;
let database: TestDatabase;
let runtime: Runtime;
let fairness: FairScheduler;
let client: TaskClient;
let worker: TaskWorker;
let dispatcher: FairDispatcher;
let failing = true;
let release: () => void = () => undefined;
const gate = new Promise<void>((resolve) => {
  release = resolve;
});

beforeAll(async () => {
  redis = await createTestRedis('fair-retry');
  database = await createTestDatabase('fair_retry');
  runtime = await createTestRuntime({
    redis,
    database,
    registry: new TaskRegistry([flaky]),
    logger,
    env: { FAIRNESS: JSON.stringify({ 'fair-retry': { readyWindow: 4, concurrency: 1 } }) },
  });
  ({ fairness, client } = runtime);
  dispatcher = new FairDispatcher({
    scheduler: fairness,
    queue: flaky.queue,
    connection: redis.redis,
    prefix: redis.prefix,
    logger,
  });
  worker = new TaskWorker({
    queue: flaky.queue,
    tasks: [
      implementTask(flaky, async ({ label }) => {
        if (label === 'blocker') await gate;
        else if (failing) throw new Error(`${label} fails`);
        return {};
      }),
    ],
    connection: redis.redis,
    prefix: redis.prefix,
    events: runtime.events,
    records: runtime.records,
    logger,
    concurrency: 4,
    listeners: [dispatcher.listener],
  });
  await worker.start();
  dispatcher.start();
});

afterAll(async () => {
  release();
  await dispatcher.stop();
  await worker.close();
  await runtime.stop();
  await redis.cleanup();
  await database.drop();
});

const record = async (id: string) =>
  (await database.database.db.select().from(tasks).where(eq(tasks.id, id)))[0];
const settled = (id: string, status: string) =>
  waitFor(async () => ((await record(id))?.status === status ? true : undefined), {
    what: `${id} to be ${status}`,
  });

describe('retry and replay on a fair queue', () => {
  it('wait for admission within the user’s limits, then run', async () => {
    const { taskId: failed } = await client.submit(
      flaky.name,
      { label: 'first' },
      { userId: 'u', submitter: userSubmitter('u', false) },
    );
    const { taskId: dead } = await client.submit(
      flaky.name,
      { label: 'second' },
      { userId: 'u', submitter: userSubmitter('u', false) },
    );
    await settled(failed, 'failed');
    await settled(dead, 'failed');
    failing = false;

    // The user's one slot is taken by a task that runs until the test lets it end.
    const { taskId: blocker } = await client.submit(
      flaky.name,
      { label: 'blocker' },
      { userId: 'u', submitter: userSubmitter('u', false) },
    );
    await settled(blocker, 'running');

    await client.retry(failed, SYSTEM_SUBMITTER);
    const deadLetters = new DeadLetterStore({ db: database.database.db, client });
    await waitFor(async () => ((await deadLetters.get(dead)) ? true : undefined), {
      what: 'the dead letter',
    });
    const { taskId: replay } = await deadLetters.replay(dead, SYSTEM_SUBMITTER);

    // Both wait for admission: the retried job is still failed in BullMQ, the replay not there at all.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await fairness.holds(flaky.queue, failed)).toBe(true);
    expect(await fairness.holds(flaky.queue, replay)).toBe(true);
    expect(await (await client.queue(flaky.queue).getJob(failed))?.getState()).toBe('failed');
    expect(await client.queue(flaky.queue).getJob(replay)).toBeUndefined();
    expect((await fairness.metrics(flaky.queue)).users).toEqual([
      { userId: 'u', waiting: 2, running: 1, oldestWaitingMs: expect.any(Number) },
    ]);
    expect(await client.isUnfinished(flaky.queue, failed)).toBe(true);

    release();
    await settled(failed, 'completed');
    await settled(replay, 'completed');
    expect(await record(failed)).toMatchObject({ userId: 'u', attempts: 2 });
    expect(await record(replay)).toMatchObject({ userId: 'u', replayOf: dead });
    expect(await client.isUnfinished(flaky.queue, failed)).toBe(false);
  });
});
