import { userSubmitter } from '../src/client/submitter.js';
import { TaskClient } from '../src/client/task-client.js';
import { FairnessLimitsError } from '../src/errors/fairness-limits-error.js';
import { QueueNotFairError } from '../src/errors/queue-not-fair-error.js';
import { FairScheduler } from '../src/fairness/fair-scheduler.js';
import { TaskRegistry } from '../src/task/task-registry.js';
import { createTestRedis, type TestRedis } from '../src/testing.js';
import { echo } from './fixtures.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await createTestRedis('fair-scheduler');
});
afterAll(() => redis.cleanup());

let counter = 0;
/** A scheduler on a fresh queue name, so tests never see each other's state. */
function scheduler(
  policy: Record<string, unknown> = {},
  extra: { recoverAfterMs?: number; sweepGraceMs?: number } = {},
) {
  const queue = `q${++counter}`;
  const fair = new FairScheduler({
    connection: redis.redis,
    prefix: redis.prefix,
    settings: { [queue]: { readyWindow: 100, ...policy } },
    ...extra,
  });
  const submit = (
    userId: string | undefined,
    ids: string[],
    opts: { priority?: number; delay?: number } = {},
  ) =>
    fair.enqueue(
      queue,
      ids.map((taskId) => ({ taskId, userId, name: 'demo.echo', data: { payload: { taskId } }, opts })),
    );
  const take = async () => {
    const { jobs, retryInMs } = await fair.dispatch(queue);
    await fair.acknowledge(
      queue,
      jobs.map((job) => job.taskId),
    );
    return { ids: jobs.map((job) => job.taskId), jobs, retryInMs };
  };
  return { fair, queue, submit, take };
}

describe('FairScheduler with real Redis', () => {
  it('admits round-robin across users and by priority within a user', async () => {
    const { submit, take } = scheduler();
    await submit('a', ['a1', 'a2', 'a3', 'a4']);
    await submit('a', ['a0'], { priority: 0 });
    await submit('a', ['a-low'], { priority: 5 });
    await submit('b', ['b1', 'b2']);
    await submit(undefined, ['n1']);
    const { ids, jobs } = await take();
    expect(ids).toEqual(['a1', 'b1', 'n1', 'a2', 'b2', 'a3', 'a4', 'a0', 'a-low']);
    expect(jobs[2]).toMatchObject({
      userId: 'anonymous',
      name: 'demo.echo',
      data: { payload: { taskId: 'n1' } },
    });
    expect(typeof jobs[0]!.opts.timestamp).toBe('number');
    expect((await take()).ids).toEqual([]);
  });

  it('keeps BullMQ to the ready window', async () => {
    const { fair, queue, submit } = scheduler({ readyWindow: 3 });
    await submit('a', ['1', '2', '3', '4', '5']);
    const first = await fair.dispatch(queue);
    expect(first.jobs).toHaveLength(3);
    // Not yet acknowledged: still counted against the window.
    expect((await fair.dispatch(queue)).jobs).toHaveLength(0);
    // Two of them wait in BullMQ's list, one started.
    await fair.acknowledge(queue, ['1', '2', '3']);
    await redis.redis.rpush(`${redis.prefix}:${queue}:wait`, '1', '2');
    expect((await fair.dispatch(queue)).jobs.map((job) => job.taskId)).toEqual(['4']);
  });

  it('holds a user at its concurrency until a slot is released, and sweeps lost slots', async () => {
    const { fair, queue, submit, take } = scheduler({ concurrency: 2 }, { sweepGraceMs: 0 });
    await submit('a', ['a1', 'a2', 'a3', 'a4']);
    await submit('b', ['b1']);
    expect((await take()).ids).toEqual(['a1', 'b1', 'a2']);
    expect((await take()).ids).toEqual([]);
    expect(await fair.release(queue, 'a', 'a1')).toBe(true);
    expect(await fair.release(queue, 'a', 'a1')).toBe(false);
    expect((await take()).ids).toEqual(['a3']);
    // a2's job finished in BullMQ but nobody released it; a3's job still runs.
    await redis.redis.hset(`${redis.prefix}:${queue}:a2`, 'finishedOn', Date.now());
    await redis.redis.hset(`${redis.prefix}:${queue}:a3`, 'processedOn', Date.now());
    expect(await fair.sweep(queue)).toBe(2); // a2, and b1 whose job vanished
    expect((await take()).ids).toEqual(['a4']);
  });

  it('applies per-user overrides over the queue defaults, validated', async () => {
    const { fair, queue, submit, take } = scheduler({ concurrency: 1 });
    await fair.setUserLimits(queue, 'vip', { concurrency: 3 });
    expect(await fair.userLimits(queue, 'vip')).toEqual({ concurrency: 3 });
    expect(await fair.userLimits(queue, 'a')).toEqual({ concurrency: 1 });
    await submit('a', ['a1', 'a2']);
    await submit('vip', ['v1', 'v2', 'v3', 'v4']);
    expect((await take()).ids).toEqual(['a1', 'v1', 'v2', 'v3']);
    await expect(fair.setUserLimits(queue, 'a', { concurrency: -1 })).rejects.toBeInstanceOf(
      FairnessLimitsError,
    );
    await expect(
      fair.setUserLimits(queue, 'a', { rate: { count: 0, intervalMs: 10 } } as never),
    ).rejects.toMatchObject({ code: 'FAIRNESS_LIMITS_INVALID' });
    expect(await fair.userLimits(queue, 'a')).toEqual({ concurrency: 1 });
    await fair.clearUserLimits(queue, 'vip');
    expect(await fair.userLimits(queue, 'vip')).toEqual({ concurrency: 1 });
    await expect(fair.metrics('not-fair')).rejects.toBeInstanceOf(QueueNotFairError);
  });

  it('spends a token bucket per user and says when the next token comes', async () => {
    const { submit, take } = scheduler({ rate: { count: 2, intervalMs: 60_000, burst: 2 } });
    await submit('a', ['a1', 'a2', 'a3']);
    await submit('b', ['b1']);
    const first = await take();
    expect(first.ids).toEqual(['a1', 'b1', 'a2']);
    expect(first.retryInMs).toBeGreaterThan(25_000);
    expect(first.retryInMs).toBeLessThanOrEqual(30_000);
  });

  it('keeps the lateness of a round that came after a token was due, up to half a token', async () => {
    const { queue, submit, take } = scheduler({ rate: { count: 10, intervalMs: 1_000 } });
    await submit('late', ['l1', 'l2', 'l3']);
    const emptiedAgo = async (ms: number) => {
      const [seconds, micros] = await redis.redis.time();
      const now = Number(seconds) * 1_000 + Math.floor(Number(micros) / 1_000);
      const bucket = `${redis.prefix}:fair:${queue}:bucket:late`;
      await redis.redis.hset(bucket, 'tokens', '0', 'ts', String(now - ms));
    };
    // The bucket was emptied 130 ms ago: its next token was due 30 ms ago and this round is late.
    await emptiedAgo(130);
    const round = await take();
    expect(round.ids).toEqual(['l1']);
    // The next token comes 100 ms after the one that was due, not 100 ms after this late round.
    expect(round.retryInMs).toBeGreaterThanOrEqual(60);
    expect(round.retryInMs).toBeLessThanOrEqual(72);
    // After a quiet spell the carry is at most half a token: the next one 50 ms on, not at once.
    await emptiedAgo(5_000);
    const afterQuiet = await take();
    expect(afterQuiet.ids).toEqual(['l2']);
    expect(afterQuiet.retryInMs).toBeGreaterThanOrEqual(45);
    expect(afterQuiet.retryInMs).toBeLessThanOrEqual(50);
  });

  it('holds delayed tasks until due, drops duplicates and withdraws waiting tasks', async () => {
    const { fair, queue, submit, take } = scheduler();
    expect(await submit('a', ['later'], { delay: 300 })).toBe(1);
    expect(await submit('a', ['now', 'now', 'gone'])).toBe(2);
    expect(await fair.remove(queue, 'gone')).toMatchObject({
      taskId: 'gone',
      userId: 'a',
      name: 'demo.echo',
    });
    expect(await fair.remove(queue, 'gone')).toBeUndefined();
    expect((await take()).ids).toEqual(['now']);
    expect((await fair.metrics(queue)).delayed).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await take()).ids).toEqual(['later']);
    expect(await fair.remove(queue, 'later')).toBeUndefined();
  });

  it('reports waiting, running and the oldest waiting age per user', async () => {
    const { fair, queue, submit, take } = scheduler({ concurrency: 1 });
    await submit('a', ['a1', 'a2', 'a3']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await submit('b', ['b1']);
    await take();
    const metrics = await fair.metrics(queue);
    expect(metrics.queue).toBe(queue);
    expect(metrics.users).toEqual([
      { userId: 'a', waiting: 2, running: 1, oldestWaitingMs: expect.any(Number) },
      { userId: 'b', waiting: 0, running: 1, oldestWaitingMs: null },
    ]);
    expect(metrics.users[0]!.oldestWaitingMs).toBeGreaterThanOrEqual(40);
  });

  it('hands out again jobs whose dispatcher died before adding them', async () => {
    const { fair, queue, submit } = scheduler({}, { recoverAfterMs: 100 });
    await submit('a', ['a1']);
    expect((await fair.dispatch(queue)).jobs.map((job) => job.taskId)).toEqual(['a1']);
    expect((await fair.dispatch(queue)).jobs).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const again = await fair.dispatch(queue);
    expect(again.jobs.map((job) => job.taskId)).toEqual(['a1']);
    await fair.acknowledge(queue, ['a1']);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await fair.dispatch(queue)).jobs).toEqual([]);
  });

  it('is where a TaskClient parks tasks of a fair queue, and where cancel withdraws them', async () => {
    const fair = new FairScheduler({
      connection: redis.redis,
      prefix: redis.prefix,
      settings: { demo: { readyWindow: 10 } },
    });
    const client = new TaskClient({
      registry: new TaskRegistry([echo]),
      connection: redis.redis,
      prefix: redis.prefix,
      fairness: fair,
    });
    try {
      const [kept, dropped] = await client.submitBulk([
        {
          name: echo.name,
          payload: { text: 'kept' },
          options: { userId: 'u', submitter: userSubmitter('u', false) },
        },
        {
          name: echo.name,
          payload: { text: 'dropped' },
          options: { userId: 'u', submitter: userSubmitter('u', false) },
        },
      ]);
      expect(await client.queue('demo').getJobCounts()).toMatchObject({ waiting: 0, prioritized: 0 });
      expect((await fair.metrics('demo')).users).toEqual([
        { userId: 'u', waiting: 2, running: 0, oldestWaitingMs: expect.any(Number) },
      ]);
      expect(await client.cancel(dropped!.taskId)).toEqual({
        taskId: dropped!.taskId,
        status: 'cancelled',
        was: 'waiting',
      });
      const { jobs } = await fair.dispatch('demo');
      expect(jobs.map((job) => [job.taskId, job.name, job.data])).toEqual([
        [kept!.taskId, echo.name, expect.objectContaining({ payload: { text: 'kept' }, userId: 'u' })],
      ]);
    } finally {
      await client.close();
    }
  });
});
