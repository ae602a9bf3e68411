import { IdempotencyKeys } from '../src/client/idempotency-keys.js';
import { implementTask } from '../src/task/implement-task.js';
import { echo, harness } from './fixtures.js';

describe('idempotency keys', () => {
  let h: Awaited<ReturnType<typeof harness>>;
  beforeAll(async () => {
    h = await harness('idempotency', [implementTask(echo, async ({ text }) => ({ text }))], { start: false });
  });
  afterAll(() => h.close());

  const keyOf = (name: string) => `${h.redis.prefix}:keys-test:${name}`;
  const claim = (name: string, taskId: string) => ({ key: keyOf(name), windowMs: 60_000, taskId });
  const jobsQueued = () => h.client.queue('demo').getJobCountByTypes('waiting', 'prioritized', 'delayed');

  it('makes a second claim wait while the first is pending, then answers the first task', async () => {
    const keys = new IdempotencyKeys({ connection: h.redis.redis, pollMs: 10 });
    expect(await keys.claim([claim('a', 'first')])).toEqual([undefined]);
    const second = keys.claim([claim('a', 'second')]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await keys.confirm([claim('a', 'first')]);
    expect(await second).toEqual(['first']);
    expect(await h.redis.redis.pttl(keyOf('a'))).toBeGreaterThan(50_000);
  });

  it('frees a claim whose submitter died before queuing, once the claim expires', async () => {
    const keys = new IdempotencyKeys({ connection: h.redis.redis, pendingMs: 300, pollMs: 10 });
    await keys.claim([claim('b', 'never-queued')]);
    const started = Date.now();
    expect(await keys.claim([claim('b', 'retry')])).toEqual([undefined]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    await keys.confirm([claim('b', 'retry')]);
    expect(await h.redis.redis.get(keyOf('b'))).toBe('retry');
  });

  it('frees a released claim at once, and gives a key repeated in one batch to its first task', async () => {
    const keys = new IdempotencyKeys({ connection: h.redis.redis });
    await keys.claim([claim('c', 'failed-to-queue')]);
    await keys.release([claim('c', 'failed-to-queue')]);
    expect(await keys.claim([claim('c', 'next'), undefined, claim('c', 'same-batch')])).toEqual([
      undefined,
      undefined,
      'next',
    ]);
    // Neither confirm nor release touches a key another submit holds.
    await keys.release([claim('c', 'someone-else')]);
    await keys.confirm([claim('c', 'someone-else')]);
    expect(await h.redis.redis.get(keyOf('c'))).toBe('pending:next');
  });

  it('queues one task for concurrent submits with one key', async () => {
    const before = await jobsQueued();
    const submitted = await Promise.all(
      Array.from({ length: 5 }, () =>
        h.client.submit('demo.echo', { text: 'x' }, { idempotencyKey: 'race-1' }),
      ),
    );
    expect(new Set(submitted.map((task) => task.taskId)).size).toBe(1);
    expect(submitted.filter((task) => task.deduplicated).length).toBe(4);
    expect(await jobsQueued()).toBe(before + 1);
  });

  it('queues a new task when the key was left pending by a client that died before queuing', async () => {
    // What a client leaves behind when it dies between claiming the key and queuing its task.
    const key = `${h.redis.prefix}:idempotency:demo.echo:order-9`;
    await h.redis.redis.set(key, 'pending:never-queued', 'PX', 300);
    const before = await jobsQueued();
    const submitted = await h.client.submit('demo.echo', { text: 'y' }, { idempotencyKey: 'order-9' });
    expect(submitted.taskId).not.toBe('never-queued');
    expect(submitted.deduplicated).toBeUndefined();
    expect(await h.client.queue('demo').getJob(submitted.taskId)).toBeDefined();
    expect(await jobsQueued()).toBe(before + 1);
    expect(await h.redis.redis.get(key)).toBe(submitted.taskId);
  });
});
