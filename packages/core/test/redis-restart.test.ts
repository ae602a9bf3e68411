import { randomBytes } from 'node:crypto';
import { waitFor } from '../src/testing.js';
import { faultHarness } from './fault-harness.js';
import { type RedisServer, startRedisServer } from './redis-server.js';

const TASKS = 300;

describe('Redis restarted under a running worker', () => {
  let server: RedisServer;
  let h: Awaited<ReturnType<typeof faultHarness>>;

  beforeAll(async () => {
    server = await startRedisServer();
    h = await faultHarness('redis_restart', server.url, `restart-${randomBytes(4).toString('hex')}`);
  }, 60_000);
  afterAll(async () => {
    await h.close();
    await server.stop();
  });

  it('completes every task queued before the restart, each side effect once', async () => {
    const worker = await h.startWorker({ WORKER_CONCURRENCY: '4' });
    // Durable settings, so the worker has nothing to warn about.
    expect(worker.logs.join('\n')).not.toMatch(/Redis is not durable/);
    await h.client.submitBulk(
      Array.from({ length: TASKS }, (_, index) => ({
        name: 'fault.insert_key',
        payload: { key: `restart-${index}`, holdMs: 20 },
      })),
    );
    await waitFor(async () => ((await h.sideEffects('restart-%')) >= 20 ? true : undefined), {
      what: 'the worker to be under way',
      timeoutMs: 30_000,
    });
    await server.restart();
    expect(await h.sideEffects('restart-%')).toBeLessThan(TASKS);
    await waitFor(async () => ((await h.statuses('restart-%')).completed === TASKS ? true : undefined), {
      what: 'every task to complete after the restart',
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    expect(await h.sideEffects('restart-%')).toBe(TASKS);
    expect(await h.statuses('restart-%')).toEqual({ completed: TASKS });
  }, 120_000);

  it('warns at start when Redis is not configured for durability', async () => {
    await h.redis.config('SET', 'appendonly', 'no');
    await h.redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      const worker = await h.startWorker();
      const warnings = worker.logs.filter((line) => line.includes('Redis is not durable'));
      expect(warnings.join('\n')).toMatch(/appendonly is off/);
      expect(warnings.join('\n')).toMatch(/maxmemory-policy is allkeys-lru/);
    } finally {
      await h.redis.config('SET', 'appendonly', 'yes');
      await h.redis.config('SET', 'maxmemory-policy', 'noeviction');
    }
  }, 60_000);
});
