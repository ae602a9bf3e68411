import { z } from 'zod';
import { userSubmitter } from '../src/client/submitter.js';
import { TaskClient } from '../src/client/task-client.js';
import { TaskError } from '../src/errors/task-error.js';
import { FairScheduler } from '../src/fairness/fair-scheduler.js';
import { defineTask } from '../src/task/define-task.js';
import { TaskRegistry } from '../src/task/task-registry.js';
import { createTestRedis, type TestRedis, waitFor } from '../src/testing.js';
import { echo } from './fixtures.js';

// Keyed admission at the scheduler and client level (real Redis, no workers): groups, their
// limits from the contract or the submit, and pauses.
const sync = defineTask({
  name: 'keys.sync',
  queue: 'keyed',
  payload: z.object({ mailboxId: z.string(), n: z.number() }),
  flow: { key: 'mailboxId', concurrency: 1 },
});
const call = defineTask({
  name: 'keys.call',
  queue: 'keyed',
  payload: z.object({ provider: z.object({ name: z.string() }) }),
  flow: { key: (payload) => payload.provider.name, scope: 'provider', rate: { count: 2, intervalMs: 1_000 } },
});
const plain = defineTask({ name: 'keys.plain', queue: 'keyed', payload: z.object({ n: z.number() }) });

let redis: TestRedis;
let fair: FairScheduler;
let client: TaskClient;
const registry = new TaskRegistry([sync, call, plain, echo]);

beforeAll(async () => {
  redis = await createTestRedis('flow-keys');
  fair = new FairScheduler({ connection: redis.redis, prefix: redis.prefix, settings: {}, registry });
  client = new TaskClient({ registry, connection: redis.redis, prefix: redis.prefix, fairness: fair });
});
afterAll(async () => {
  await client.close();
  await redis.cleanup();
});

async function take(): Promise<{ ids: string[]; groups: string[]; retryInMs: number | undefined }> {
  const { jobs, retryInMs } = await fair.dispatch('keyed');
  await fair.acknowledge(
    'keyed',
    jobs.map((job) => job.taskId),
  );
  return { ids: jobs.map((job) => job.taskId), groups: jobs.map((job) => job.userId), retryInMs };
}

const submitSync = (mailboxId: string, n: number, taskId = `${mailboxId}-${n}`) =>
  client.submit(sync, { mailboxId, n }, { taskId });

describe('flow keys', () => {
  afterEach(async () => {
    // Each test starts from an empty admission state: a task a test leaves waiting for its
    // bucket's next token would otherwise be admitted in the middle of the next test.
    const left = await redis.redis.keys(`${redis.prefix}:fair:keyed:*`);
    if (left.length > 0) await redis.redis.del(...left);
  });

  it('sends a queue through admission when a task routed to it declares a flow key', () => {
    expect(fair.isFair('keyed')).toBe(true);
    expect(fair.isFair('demo')).toBe(false);
    expect(fair.queues).toEqual(['keyed']);
    expect(fair.policy('keyed')).toEqual({ readyWindow: 10 });
  });

  it('admits one task per key of concurrency 1 while other keys run alongside', async () => {
    await submitSync('m1', 1);
    await submitSync('m1', 2);
    await submitSync('m2', 1);
    const first = await take();
    expect(first.ids.sort()).toEqual(['m1-1', 'm2-1']);
    expect(first.groups.sort()).toEqual(['keys.sync:m1', 'keys.sync:m2']);
    expect((await take()).ids).toEqual([]);
    expect(await fair.release('keyed', 'keys.sync:m1', 'm1-1')).toBe(true);
    expect((await take()).ids).toEqual(['m1-2']);
  });

  it('throttles a key by its own token bucket, shared across the tasks of one scope', async () => {
    for (const id of ['a1', 'a2', 'a3']) {
      await client.submit(call, { provider: { name: 'alpha' } }, { taskId: id });
    }
    await client.submit(call, { provider: { name: 'beta' } }, { taskId: 'b1' });
    const first = await take();
    // Burst 1: one start per key at once; the next token of alpha comes in about 500 ms.
    expect(first.ids.sort()).toEqual(['a1', 'b1']);
    expect(first.groups.sort()).toEqual(['provider:alpha', 'provider:beta']);
    const next = await take();
    expect(next.ids).toEqual([]);
    expect(next.retryInMs).toBeGreaterThan(300);
    expect(next.retryInMs).toBeLessThanOrEqual(500);
  });

  it('lets a submit replace the contract limits, and sends unkeyed tasks straight to BullMQ', async () => {
    for (const n of [1, 2]) {
      await client.submit(
        sync,
        { mailboxId: 'm9', n },
        { taskId: `wide-${n}`, flow: { key: 'mailboxId', concurrency: 2 } },
      );
    }
    await client.submit(plain, { n: 2 }, { taskId: 'plain-1' });
    expect((await take()).ids.sort()).toEqual(['wide-1', 'wide-2']);
    // No extra hop for a task without a key, even on a queue with keyed tasks.
    expect(await fair.holds('keyed', 'plain-1')).toBe(false);
    expect(await (await client.queue('keyed').getJob('plain-1'))?.getState()).toBe('waiting');
    await client.queue('keyed').drain();
  });

  it('pauses one key on every replica until the pause ends, while other keys flow', async () => {
    const left = await fair.pause('keyed', 'keys.sync:p1', 400);
    expect(left).toBeGreaterThan(300);
    // A shorter pause never cuts a longer one short.
    expect(await fair.pause('keyed', 'keys.sync:p1', 50)).toBeGreaterThan(300);
    await submitSync('p1', 1);
    await submitSync('p2', 1);
    const during = await take();
    expect(during.ids).toEqual(['p2-1']);
    expect(during.retryInMs).toBeGreaterThan(250);
    await new Promise((resolve) => setTimeout(resolve, (during.retryInMs ?? 0) + 20));
    expect((await take()).ids).toEqual(['p1-1']);
  });

  it('lists the busiest keys and the paused ones, bounded, and forgets them once idle', async () => {
    for (const n of [1, 2, 3]) await submitSync('v1', n);
    await submitSync('v2', 1);
    await client.submit(call, { provider: { name: 'gamma' } }, { taskId: 'g1' });
    const admitted = await take();
    expect([...admitted.ids].sort()).toEqual(['g1', 'v1-1', 'v2-1']);
    expect(await fair.remove('keyed', 'v1-3')).toBeDefined();
    const pauseMs = 1_000;
    const before = Date.now();
    await fair.pause('keyed', 'keys.sync:v2', pauseMs);
    const view = await fair.flowKeys('keyed', 10);
    expect(view).toMatchObject({
      keysWaiting: 1,
      keysRunning: 3,
      pausedGroups: 1,
      keys: [
        { key: 'keys.sync:v1', waiting: 1, running: 1 },
        { key: 'keys.sync:v2', waiting: 0, running: 1 },
        { key: 'provider:gamma', waiting: 0, running: 1 },
      ],
      paused: [{ group: 'keys.sync:v2', resumeAt: expect.any(Number) }],
    });
    // Redis's clock and ours agree within a second or so here.
    expect(Math.abs(view.paused[0]!.resumeAt - (before + pauseMs))).toBeLessThan(5_000);
    // Bounded: one row of each, the counts still count every key.
    const one = await fair.flowKeys('keyed', 1);
    expect(one.keys).toEqual([{ key: 'keys.sync:v1', waiting: 1, running: 1 }]);
    expect(one.keysRunning).toBe(3);

    // Released and admitted, the keys leave the view; a pause that ended too.
    for (const [index, id] of admitted.ids.entries()) await fair.release('keyed', admitted.groups[index], id);
    await waitFor(async () => ((await fair.flowKeys('keyed', 10)).pausedGroups === 0 ? true : undefined), {
      what: 'the pause to end',
    });
    const next = await take();
    expect(next.ids).toEqual(['v1-2']);
    await fair.release('keyed', 'keys.sync:v1', 'v1-2');
    expect(await fair.flowKeys('keyed', 10)).toEqual({
      keysWaiting: 0,
      keysRunning: 0,
      pausedGroups: 0,
      keys: [],
      paused: [],
    });
  });

  it('refuses a malformed flow and a submit flow on a queue without admission', async () => {
    expect(() =>
      defineTask({
        name: 'keys.bad',
        queue: 'keyed',
        payload: z.object({}),
        flow: { key: 'x', concurrency: 0 },
      }),
    ).toThrow(/flow.concurrency must be a positive whole number/);
    expect(() =>
      defineTask({
        name: 'keys.bad',
        queue: 'keyed',
        payload: z.object({}),
        flow: { key: 'x', rate: { count: 1, intervalMs: 0 } },
      }),
    ).toThrow(/flow.rate needs/);
    await expect(client.submit(echo, { text: 'x' }, { flow: { key: 'text' } })).rejects.toMatchObject({
      code: 'SUBMIT_OPTIONS_INVALID',
    });
    await expect(client.submit(sync, { mailboxId: '', n: 1 })).rejects.toBeInstanceOf(TaskError);
  });

  it("keeps keyed tasks of a FAIRNESS queue in their users' turns, within their keys' limits too", async () => {
    const model = defineTask({
      name: 'keys.model',
      queue: 'fairkeyed',
      payload: z.object({ provider: z.string() }),
      flow: { key: 'provider', concurrency: 1 },
    });
    const fairRegistry = new TaskRegistry([model]);
    const both = new FairScheduler({
      connection: redis.redis,
      prefix: redis.prefix,
      settings: { fairkeyed: { readyWindow: 100 } },
      registry: fairRegistry,
    });
    const fairClient = new TaskClient({
      registry: fairRegistry,
      connection: redis.redis,
      prefix: redis.prefix,
      fairness: both,
    });
    const as = (userId: string) => ({ userId, submitter: userSubmitter(userId, false) });
    for (const [taskId, userId, provider] of [
      ['ann-p1', 'ann', 'p'],
      ['ann-p2', 'ann', 'p'],
      ['ann-q1', 'ann', 'q'],
      ['bob-p3', 'bob', 'p'],
      ['bob-q2', 'bob', 'q'],
    ] as const) {
      await fairClient.submit(model, { provider }, { ...as(userId), taskId });
    }
    const admit = async () => {
      const { jobs } = await both.dispatch('fairkeyed');
      await both.acknowledge(
        'fairkeyed',
        jobs.map((job) => job.taskId),
      );
      return jobs;
    };
    const first = await admit();
    // Round-robin by user; bob's first task waits for key p, so his next one goes ahead of it;
    // ann's other tasks wait for keys p and q.
    expect(first.map((job) => [job.taskId, job.userId])).toEqual([
      ['ann-p1', 'ann'],
      ['bob-q2', 'bob'],
    ]);
    expect(await admit()).toEqual([]);
    // Keyed tasks wait in their users' lists here; the key view still counts them per key.
    expect((await both.flowKeys('fairkeyed', 10)).keys).toEqual([
      { key: 'keys.model:p', waiting: 2, running: 1 },
      { key: 'keys.model:q', waiting: 1, running: 1 },
    ]);
    expect(await both.release('fairkeyed', 'ann', 'ann-p1', 'keys.model:p')).toBe(true);
    const next = (await admit()).map((job) => job.taskId);
    expect(next).toHaveLength(1);
    expect(['ann-p2', 'bob-p3']).toContain(next[0]);
    await fairClient.close();
  });
});
