import { defineTask, duplicateRedis, type RedisConnection, TaskClient, TaskRegistry } from '@foreman/core';
import { createTestRedis, type TestRedis, waitFor } from '@foreman/core/testing';
import { Worker } from 'bullmq';
import { z } from 'zod';
import { clientHooks } from '../src/policies/client-hooks.js';
import { type MisfirePolicy, type OverlapPolicy, PolicyBeat } from '../src/policies/policy-beat.js';
import { ScheduleStateStore } from '../src/policies/schedule-state-store.js';

// Schedule time is given to each tick, so a beat "down" for minutes costs no wall time; the runs
// are real tasks in BullMQ, held running by a real worker until the test lets them finish.
const MINUTE = 60_000;
const T = 1_000 * MINUTE * 30_000; // some aligned instant
const report = defineTask({ name: 'policy.report', queue: 'policy', payload: z.object({}) });

let redis: TestRedis;
let client: TaskClient;
let worker: Worker;
let workerConnection: RedisConnection;
let release: () => void = () => undefined;
let gate = Promise.resolve();
const hold = () => {
  gate = new Promise((resolve) => {
    release = resolve;
  });
};

beforeAll(async () => {
  redis = await createTestRedis('policy-beat');
  client = new TaskClient({
    registry: new TaskRegistry([report]),
    connection: redis.redis,
    prefix: redis.prefix,
  });
  workerConnection = duplicateRedis(redis.redis);
  worker = new Worker('policy', () => gate, {
    connection: workerConnection,
    prefix: redis.prefix,
    concurrency: 20,
  });
});
afterAll(async () => {
  release();
  await worker.close();
  // BullMQ leaves a connection it was given open; an open one keeps jest from exiting.
  workerConnection.disconnect();
  await client.close();
  await redis.cleanup();
});

let counter = 0;
function beat(overlap: OverlapPolicy, misfire: MisfirePolicy) {
  const id = `s${++counter}`;
  const store = new ScheduleStateStore(redis.redis, redis.prefix);
  // A new PolicyBeat over the same Redis is a restarted beat process.
  const start = () =>
    new PolicyBeat({
      schedules: [{ id, timing: { everyMs: MINUTE }, overlap, misfire }],
      store,
      ...clientHooks(client, { [id]: { task: report.name, payload: {} } }),
    });
  return { id, store, start };
}

const tickOf = async (b: PolicyBeat, now: number) => (await b.tick(now))![0]!;

describe('misfire policies across a stopped and restarted beat', () => {
  it.each([
    [{ policy: 'skip' } as MisfirePolicy, [], 4],
    [{ policy: 'run_once' } as MisfirePolicy, [T + 5 * MINUTE], 3],
    [{ policy: 'run_all', cap: 3 } as MisfirePolicy, [T + 3 * MINUTE, T + 4 * MINUTE, T + 5 * MINUTE], 1],
  ])('%j', async (misfire, firedAfterRestart, skipped) => {
    const { id, store, start } = beat('allow', misfire);
    const first = start();
    expect((await tickOf(first, T + 10)).fired).toEqual([]);
    expect((await tickOf(first, T + MINUTE + 5)).fired).toEqual([T + MINUTE]);
    // Down from just after the 1-minute run until 5.5 minutes: 2, 3, 4 and 5 were missed.
    const restarted = start();
    const outcome = await tickOf(restarted, T + 5 * MINUTE + 30_000);
    expect(outcome.fired).toEqual(firedAfterRestart);
    expect(outcome.skipped).toBe(skipped);
    const state = await store.get(id);
    expect(state).toMatchObject({ nextRunAt: T + 6 * MINUTE, skipped });
    expect(state!.lastOccurrence).toBe(firedAfterRestart.at(-1) ?? T + MINUTE);
    expect(state!.lastRunAt).toEqual(expect.any(Number));
    // Back to normal afterwards: the next occurrence runs on time.
    expect((await tickOf(restarted, T + 6 * MINUTE + 5)).fired).toEqual([T + 6 * MINUTE]);
  });
});

describe('overlap policies across a stopped and restarted beat', () => {
  it.each([
    ['skip' as OverlapPolicy, [], [], 2],
    ['queue_one' as OverlapPolicy, [], [T + 3 * MINUTE], 1],
    ['allow' as OverlapPolicy, [T + 2 * MINUTE, T + 3 * MINUTE], [], 0],
  ])('%s', async (overlap, whileRunning, afterItEnds, skipped) => {
    hold();
    const { id, store, start } = beat(overlap, { policy: 'run_once' });
    const first = start();
    await tickOf(first, T + 10);
    const [firstRun] = (await tickOf(first, T + MINUTE + 5)).fired;
    expect(firstRun).toBe(T + MINUTE);
    const firstTask = (await store.get(id))!.lastTaskId!;
    await waitFor(
      async () => ((await client.queue('policy').getJob(firstTask))?.processedOn ? true : undefined),
      {
        what: 'the first run to start',
      },
    );
    // Beat restarts while that run is still going; two more occurrences come.
    const restarted = start();
    const fired = [
      ...(await tickOf(restarted, T + 2 * MINUTE + 5)).fired,
      ...(await tickOf(restarted, T + 3 * MINUTE + 5)).fired,
    ];
    expect(fired).toEqual(whileRunning);
    release();
    await waitFor(
      async () => ((await client.queue('policy').getJob(firstTask))?.finishedOn ? true : undefined),
      { what: 'the first run to end' },
    );
    const after = await tickOf(restarted, T + 3 * MINUTE + 30_000);
    expect(after.fired).toEqual(afterItEnds);
    expect((await store.get(id))!.skipped).toBe(skipped);
  });
});
