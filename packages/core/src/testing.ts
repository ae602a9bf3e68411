import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { baseEnvSchema, type Env, loadConfig } from '@foreman/config';
import type { TestDatabase } from '@foreman/db/testing';
import { createRuntime, type Runtime, type RuntimeOptions } from './app/create-runtime.js';
import { createRedis, type RedisConnection } from './redis/create-redis.js';

/** The Redis that tests use; the machine's local server unless TEST_REDIS_URL says otherwise. */
export const testRedisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestRedis {
  readonly redis: RedisConnection;
  readonly url: string;
  /** Unique key prefix: queues of one test file never meet another's. */
  readonly prefix: string;
  /** Deletes every key under the prefix and disconnects. */
  cleanup(): Promise<void>;
}

export async function createTestRedis(label = 'test'): Promise<TestRedis> {
  const prefix = `${label}-${randomBytes(5).toString('hex')}`;
  const redis = createRedis(testRedisUrl);
  return {
    redis,
    url: testRedisUrl,
    prefix,
    async cleanup() {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      await redis.quit();
    },
  };
}

export interface TestRuntimeOptions
  extends Omit<RuntimeOptions, 'name' | 'env' | 'connections' | 'projectorBlockMs'> {
  redis: Pick<TestRedis, 'redis' | 'url' | 'prefix'>;
  database: Pick<TestDatabase, 'database' | 'url' | 'schema'>;
  /** @defaultValue `'test'` */
  name?: string;
  /** Variables as a process reads them (e.g. `FAIRNESS` as JSON), over the test's own Redis and schema. */
  env?: Env;
  /**
   * Longest one read of the projector blocks; short, so that stopping is quick.
   * @defaultValue 100
   */
  projectorBlockMs?: number;
}

/**
 * The runtime an app gets from `createRuntime`, on a test's own Redis prefix and database schema:
 * harnesses wire nothing by hand, so they run what the apps run. Stopping it leaves the test's
 * connections open (`cleanup()` and `drop()` close them).
 */
export function createTestRuntime(options: TestRuntimeOptions): Promise<Runtime> {
  const { redis, database, name = 'test', env = {}, projectorBlockMs = 100, ...rest } = options;
  return createRuntime({
    ...rest,
    name,
    env: loadConfig(baseEnvSchema, {
      REDIS_URL: redis.url,
      QUEUE_PREFIX: redis.prefix,
      DATABASE_URL: database.url,
      DATABASE_SCHEMA: database.schema,
      LOG_LEVEL: 'silent',
      ...env,
    }),
    connections: { database: database.database, redis: redis.redis },
    projectorBlockMs,
  });
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 10_000, intervalMs = 25, what = 'condition' } = {},
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A TCP port on loopback that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export { type ApiProcess, type ApiProcessOptions, startApiProcess } from './testing/api-process.js';
export { type AppProcess, startAppProcess } from './testing/app-process.js';
export { tcpProxy } from './testing/tcp-proxy.js';
