import { deadLetters, eq } from '@foreman/db';
import { z } from 'zod';
import { SYSTEM_SUBMITTER } from '../src/client/submitter.js';
import { DeadLetterStore } from '../src/dead-letters/dead-letter-store.js';
import { NonRetryableError } from '../src/errors/non-retryable-error.js';
import { PayloadTooLargeError } from '../src/errors/payload-too-large-error.js';
import { TaskStateError } from '../src/errors/task-state-error.js';
import { taskEventsStream } from '../src/events/channels.js';
import type { TaskEvent } from '../src/events/task-event.js';
import { TaskEventSubscriber } from '../src/events/task-event-subscriber.js';
import { defineTask } from '../src/task/define-task.js';
import { implementTask } from '../src/task/implement-task.js';
import type { RetryPolicy } from '../src/task/retry-policy.js';
import { waitFor } from '../src/testing.js';
import { harness } from './fixtures.js';

const gates = new Map<string, () => void>();
const aborted = new Map<string, { at: number; reason: string }>();
const order: string[] = [];
let failFirstCalls = 0;

const contract = (
  name: string,
  extra: { retry?: Partial<RetryPolicy>; timeoutMs?: number; softTimeoutMs?: number } = {},
) => defineTask({ name: `life.${name}`, queue: 'life', payload: z.object({ key: z.string() }), ...extra });

const alwaysFails = contract('always_fails', { retry: { attempts: 3, delayMs: 10, jitter: 0 } });
const refuses = contract('refuses', { retry: { attempts: 5, delayMs: 10 } });
const failsOnce = contract('fails_once', { retry: { attempts: 1 } });
const gated = contract('gated', { retry: { attempts: 2, delayMs: 10 } });
const soft = contract('soft', { timeoutMs: 5_000, softTimeoutMs: 50, retry: { attempts: 1 } });
const reports = contract('reports');
const ordered = contract('ordered');

/** Waits until the test opens its gate, or until its signal aborts (then records why). */
const waitAtGate = (key: string, signal: AbortSignal) =>
  new Promise<{ key: string }>((resolve, reject) => {
    gates.set(key, () => resolve({ key }));
    signal.addEventListener('abort', () => {
      aborted.set(key, { at: Date.now(), reason: (signal.reason as Error).message });
      reject(signal.reason);
    });
  });

const implementations = [
  implementTask(alwaysFails, ({ key }) => {
    throw new Error(`broken ${key}`);
  }),
  implementTask(refuses, () => {
    throw new NonRetryableError('the input can never work');
  }),
  implementTask(failsOnce, ({ key }) => {
    failFirstCalls += 1;
    if (failFirstCalls === 1) throw new Error('first call fails');
    return { key };
  }),
  implementTask(gated, ({ key }, context) => waitAtGate(key, context.signal)),
  implementTask(
    soft,
    ({ key }, context) =>
      new Promise((resolve) =>
        context.signal.addEventListener('abort', () =>
          resolve({ key, cleanedUp: (context.signal.reason as Error).message }),
        ),
      ),
  ),
  implementTask(reports, async ({ key }, context) => {
    await context.progress(30, 'reading');
    await context.progress(80, 'writing');
    return { key };
  }),
  implementTask(ordered, ({ key }) => {
    order.push(key);
    return { key };
  }),
];

describe('task lifecycle with real Redis and PostgreSQL', () => {
  let h: Awaited<ReturnType<typeof harness>>;
  let events: TaskEvent[];
  let subscriber: TaskEventSubscriber;
  let store: DeadLetterStore;

  beforeAll(async () => {
    h = await harness('life', implementations, { concurrency: 4 });
    events = [];
    subscriber = new TaskEventSubscriber({ connection: h.redis.redis, prefix: h.redis.prefix });
    await subscriber.subscribe((event) => events.push(event));
    store = new DeadLetterStore({ db: h.database.database.db, client: h.client });
  });
  afterAll(async () => {
    await subscriber.close();
    await h.close();
  });

  it('dead-letters a task that exhausts its attempts, with every attempt on the record', async () => {
    const { taskId } = await h.client.submit('life.always_fails', { key: 'a' });
    const row = await h.settled(taskId, 'failed');
    expect(row.attempts).toBe(3);
    expect(row.error).toBe('broken a');
    const letter = await waitFor(() => store.get(taskId), { what: 'dead letter' });
    expect(letter).toMatchObject({ name: 'life.always_fails', payload: { key: 'a' }, attempts: 3 });
    expect(letter.error).toBe('broken a');
  });

  it('does not retry a NonRetryableError', async () => {
    const { taskId } = await h.client.submit('life.refuses', { key: 'b' });
    const row = await h.settled(taskId, 'failed');
    expect(row.attempts).toBe(1);
    expect(row.error).toBe('the input can never work');
    await waitFor(() => store.get(taskId), { what: 'dead letter' });
  });

  it('replays dead letters one by one and in bulk, linking both ways, at most once', async () => {
    const { taskId } = await h.client.submit('life.fails_once', { key: 'c' });
    await h.settled(taskId, 'failed');
    await waitFor(() => store.get(taskId), { what: 'dead letter' });
    const replay = await store.replay(taskId, SYSTEM_SUBMITTER);
    expect(replay.taskId).not.toBe(taskId);
    const replayed = await h.settled(replay.taskId, 'completed');
    expect(replayed.replayOf).toBe(taskId);
    expect(replayed.payload).toEqual({ key: 'c' });
    expect((await store.get(taskId))?.replayedAs).toBe(replay.taskId);
    await expect(store.replay(taskId, SYSTEM_SUBMITTER)).rejects.toThrow(TaskStateError);

    const waiting = await store.list({ name: 'life.refuses', replayed: false });
    expect(waiting).toHaveLength(1);
    const bulk = await store.replayAll({ name: 'life.refuses' }, SYSTEM_SUBMITTER);
    expect(bulk.failed).toEqual([]);
    expect(bulk.replayed.map((task) => task.name)).toEqual(['life.refuses']);
    expect((await store.get(waiting[0]!.taskId))?.replayedAs).toBe(bulk.replayed[0]!.taskId);
    // The replay fails for good too: a dead letter of its own, the original stays replayed once.
    await h.settled(bulk.replayed[0]!.taskId, 'failed');
    expect(
      (await store.list({ name: 'life.refuses', replayed: true })).map((letter) => letter.taskId),
    ).toEqual([waiting[0]!.taskId]);
  });

  it('retries a failed task on request with fresh attempts', async () => {
    const { taskId } = await h.client.submit('life.always_fails', { key: 'd' });
    await h.settled(taskId, 'failed');
    await expect(h.client.retry(taskId, SYSTEM_SUBMITTER)).resolves.toMatchObject({ taskId });
    await waitFor(async () => ((await h.record(taskId))?.attempts === 6 ? true : undefined), {
      what: 'three more attempts',
    });
    expect((await h.settled(taskId, 'failed')).attempts).toBe(6);
    const running = await h.client.submit('life.gated', { key: 'not-failed' });
    await waitFor(() => (gates.has('not-failed') ? true : undefined));
    await expect(h.client.retry(running.taskId, SYSTEM_SUBMITTER)).rejects.toThrow(TaskStateError);
    gates.get('not-failed')?.();
    await h.settled(running.taskId, 'completed');
  });

  it('aborts the signal at the soft limit and lets the handler finish', async () => {
    const { taskId } = await h.client.submit('life.soft', { key: 'e' });
    const row = await h.settled(taskId, 'completed');
    expect(row.result).toEqual({ key: 'e', cleanedUp: expect.stringMatching(/soft time limit of 50 ms/) });
  });

  it('cancels a pending task: removed from its queue, recorded cancelled, never run', async () => {
    const { taskId } = await h.client.submit('life.ordered', { key: 'never' }, { delayMs: 60_000 });
    await expect(h.client.cancel(taskId)).resolves.toEqual({ taskId, status: 'cancelled', was: 'delayed' });
    expect((await h.settled(taskId, 'cancelled')).completedAt).toBeInstanceOf(Date);
    expect(await h.client.queue('life').getJob(taskId)).toBeUndefined();
    expect(order).not.toContain('never');
  });

  it('cancels a running task: its signal aborts within a second and the record says cancelled', async () => {
    const { taskId } = await h.client.submit('life.gated', { key: 'cancel-me' });
    await waitFor(() => (gates.has('cancel-me') ? true : undefined), { what: 'the task to start' });
    const requested = Date.now();
    await expect(h.client.cancel(taskId)).resolves.toMatchObject({ status: 'cancelling', was: 'active' });
    const abort = await waitFor(() => aborted.get('cancel-me'), { what: 'the abort' });
    expect(abort.at - requested).toBeLessThan(1_000);
    expect(abort.reason).toMatch(/cancelled/);
    const row = await h.settled(taskId, 'cancelled');
    expect(row.attempts).toBe(1);
    // Cancelled is not failed: no retry, no dead letter.
    expect(await h.database.database.db.$count(deadLetters, eq(deadLetters.taskId, taskId))).toBe(0);
    await waitFor(() => events.find((event) => event.taskId === taskId && event.type === 'cancelled'));
    await expect(h.client.cancel(taskId)).rejects.toThrow(TaskStateError);
  });

  it('stores progress on the record and publishes it as events', async () => {
    const { taskId } = await h.client.submit('life.reports', { key: 'f' });
    const row = await h.settled(taskId, 'completed');
    expect(row.progress).toBe(80);
    expect(row.progressMessage).toBe('writing');
    // The final row carries the last progress itself: a projector may store it before the
    // progress row, whose lower version is then refused.
    const entries = await h.redis.redis.xrange(taskEventsStream(h.redis.prefix), '-', '+');
    const final = entries
      .map(([, fields]) => fields)
      .filter((fields) => fields.includes('record'))
      .map((fields) => JSON.parse(fields[fields.indexOf('record') + 1]!) as { id: string; status: string })
      .find((record) => record.id === taskId && record.status === 'completed');
    expect(final).toMatchObject({ progress: 80, progressMessage: 'writing' });
    const seen = await waitFor(() => {
      const mine = events.filter((event) => event.taskId === taskId);
      return mine.some((event) => event.type === 'completed') ? mine : undefined;
    });
    expect(seen.map((event) => [event.type, event.percent, event.message])).toEqual([
      ['submitted', undefined, undefined],
      ['started', undefined, undefined],
      ['progress', 30, 'reading'],
      ['progress', 80, 'writing'],
      ['completed', undefined, undefined],
    ]);
  });

  it('returns the first task for a repeated idempotency key and enqueues nothing new', async () => {
    const queue = h.client.queue('life');
    const first = await h.client.submit('life.ordered', { key: 'once' }, { idempotencyKey: 'order-17' });
    const jobs = await queue.getJobCountByTypes('completed', 'waiting', 'active', 'delayed', 'prioritized');
    const again = await h.client.submit('life.ordered', { key: 'once' }, { idempotencyKey: 'order-17' });
    expect(again).toEqual({ ...first, deduplicated: true });
    expect(await queue.getJobCountByTypes('completed', 'waiting', 'active', 'delayed', 'prioritized')).toBe(
      jobs,
    );
    const other = await h.client.submit('life.ordered', { key: 'once' }, { idempotencyKey: 'order-18' });
    expect(other.taskId).not.toBe(first.taskId);
    await expect(
      h.client.submit('life.ordered', { key: 'x' }, { idempotencyKey: 'has spaces' }),
    ).rejects.toThrow(/idempotencyKey/);
  });

  it('honours priorities within a queue and runs delayed tasks no sooner than asked', async () => {
    await h.worker.close();
    order.length = 0;
    await h.client.submit('life.ordered', { key: 'low' }, { priority: 10 });
    await h.client.submit('life.ordered', { key: 'mid' }, { priority: 5 });
    await h.client.submit('life.ordered', { key: 'high' }, { priority: 1 });
    const runAt = new Date(Date.now() + 700);
    const delayed = await h.client.submit('life.ordered', { key: 'later' }, { runAt });
    await h.replaceWorker({ concurrency: 1, listeners: [] });
    const row = await h.settled(delayed.taskId, 'completed');
    expect(order).toEqual(['high', 'mid', 'low', 'later']);
    expect(row.startedAt!.getTime()).toBeGreaterThanOrEqual(runAt.getTime() - 5);
  });

  it('refuses oversized payloads and bad run times before anything is queued', async () => {
    const queue = h.client.queue('life');
    const before = await queue.count();
    await expect(h.client.submit('life.ordered', { key: 'x'.repeat(1_100_000) })).rejects.toThrow(
      PayloadTooLargeError,
    );
    await expect(
      h.client.submit('life.ordered', { key: 'x' }, { runAt: new Date('nonsense') }),
    ).rejects.toThrow(/runAt/);
    await expect(
      h.client.submit('life.ordered', { key: 'x' }, { runAt: new Date(), delayMs: 5 }),
    ).rejects.toThrow(/not both/);
    expect(await queue.count()).toBe(before);
  });
});

describe('graceful shutdown', () => {
  it('lets a short task finish, requeues one that outlives the grace, and leaves none running', async () => {
    const h = await harness(
      'shutdown',
      [implementTask(gated, ({ key }, context) => waitAtGate(key, context.signal))],
      {
        concurrency: 2,
      },
    );
    try {
      const quick = await h.client.submit('life.gated', { key: 'quick' });
      const stubborn = await h.client.submit('life.gated', { key: 'stubborn' });
      await waitFor(() => (gates.has('quick') && gates.has('stubborn') ? true : undefined));
      const closing = h.worker.close({ graceMs: 300 });
      setTimeout(() => gates.get('quick')?.(), 50);
      await closing;
      expect(h.worker.runningTaskIds()).toEqual([]);
      await h.settled(quick.taskId, 'completed');
      const requeued = await h.settled(stubborn.taskId, 'pending');
      expect(requeued.attempts).toBe(1);
      expect(await h.client.queue('life').getJobState(stubborn.taskId)).toBe('waiting');

      gates.delete('stubborn');
      await h.replaceWorker({ tasks: [implementTask(gated, ({ key }) => ({ key }))] });
      const row = await h.settled(stubborn.taskId, 'completed');
      expect(row.attempts).toBe(2);
    } finally {
      await h.close();
    }
  });
});
