import type { Env } from '@foreman/config';
import { createRegistry } from '@foreman/contracts';
import {
  RECORDS_GROUP,
  type RecordProjector,
  type Runtime,
  type TaskClient,
  type TaskRecordWriter,
  taskEventsStream,
} from '@foreman/core';
import { createTestRedis, createTestRuntime, type TestRedis, waitFor } from '@foreman/core/testing';
import { ApiKeyStore } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { createLogger } from '@foreman/logger';
import { type AppDependencies, createApp } from '../src/app.js';

export interface TestApi {
  app: ReturnType<typeof createApp>;
  redis: TestRedis;
  testDb: TestDatabase;
  /** What the api process gets from `createRuntime`: its client, records, fairness and projector. */
  runtime: Runtime;
  client: TaskClient;
  records: TaskRecordWriter;
  /** Stores the rows the client appends; a test closes it to keep rows from landing. */
  projector: RecordProjector;
  keys: ApiKeyStore;
  /** Keys of an admin and of two ordinary users. */
  adminKey: string;
  aliceKey: string;
  bobKey: string;
  /** Another api on the same Redis, database and keys (a second replica), with other settings. */
  replica(overrides?: Partial<AppDependencies>): ReturnType<typeof createApp>;
  /** Waits until the projector has stored every row appended to the stream so far. */
  projected(): Promise<void>;
  /** A request with the given key (`undefined`: none). */
  call(key: string | undefined, path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The api in-process on a fresh Redis prefix and database schema, with three keys. `env` sets the
 * runtime's variables as the api process reads them (e.g. `FAIRNESS`).
 */
export async function startTestApi(
  label: string,
  overrides:
    | Partial<AppDependencies>
    | ((redis: TestRedis, testDb: TestDatabase, runtime: Runtime) => Partial<AppDependencies>) = {},
  { env = {} }: { env?: Env } = {},
): Promise<TestApi> {
  const redis = await createTestRedis(label);
  const testDb = await createTestDatabase(label);
  const logger = createLogger('api', { level: 'silent' });
  // As in the api process: the rows the client and workers append reach the database through its projector.
  const runtime = await createTestRuntime({
    redis,
    database: testDb,
    registry: createRegistry(),
    logger,
    env,
  });
  const { client, records } = runtime;
  const projector = runtime.projector!;
  const extra = typeof overrides === 'function' ? overrides(redis, testDb, runtime) : overrides;
  const keys = new ApiKeyStore(testDb.database.db);
  const [admin, alice, bob] = await Promise.all([
    keys.create({ userId: 'admin', admin: true }),
    keys.create({ userId: 'alice' }),
    keys.create({ userId: 'bob' }),
  ]);
  const deps: AppDependencies = {
    client,
    records,
    database: testDb.database,
    redis: redis.redis,
    keys,
    logger,
    prefix: redis.prefix,
    maxBodyBytes: 4_096,
    rateLimitPerMinute: 10_000,
    eventBlockMs: 200,
    ...extra,
  };
  const app = createApp(deps);
  return {
    app,
    redis,
    testDb,
    runtime,
    client,
    records,
    projector,
    keys,
    adminKey: admin.key,
    aliceKey: alice.key,
    bobKey: bob.key,
    replica: (more = {}) => createApp({ ...deps, ...more }),
    async projected() {
      await waitFor(
        async () => {
          const groups = (await redis.redis.xinfo('GROUPS', taskEventsStream(redis.prefix))) as unknown[][];
          const group = groups.map(toMap).find((found) => found.name === RECORDS_GROUP);
          return group?.pending === 0 && group.lag === 0 ? true : undefined;
        },
        { what: 'the projector to store every row' },
      );
    },
    call(key, path, init = {}) {
      const headers = new Headers(init.headers);
      if (key) headers.set('authorization', `Bearer ${key}`);
      if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
      return Promise.resolve(app.request(path, { ...init, headers }));
    },
    async close() {
      await extra.metrics?.close();
      await runtime.stop();
      await redis.cleanup();
      await testDb.drop();
    },
  };
}

function toMap(flat: unknown[]): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  for (let index = 0; index < flat.length; index += 2) map[String(flat[index])] = flat[index + 1];
  return map;
}
