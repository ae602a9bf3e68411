import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { file, maintenance, sync } from '@foreman/contracts';
import { implementTask, NonRetryableError, TaskRegistry, TaskWorker } from '@foreman/core';
import { createTestRedis, createTestRuntime, startApiProcess, type TestRedis } from '@foreman/core/testing';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { createLogger } from '@foreman/logger';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --json runs). */
  json<T = Record<string, unknown>>(): T;
  /** stderr parsed as the api's error body (for failing --json runs). */
  error(): { code: string; message: string; details?: unknown };
}

export interface CliSystem {
  readonly baseUrl: string;
  readonly adminKey: string;
  readonly redis: TestRedis;
  readonly testDb: TestDatabase;
  /** Lets the `sync.fetch_url` tasks that wait (to be seen running) finish. */
  release(): void;
  /** Runs the real cli binary against the api, with the admin key unless `env` says otherwise. */
  cli(args: string[], options?: { env?: Record<string, string>; input?: string }): Promise<CliRun>;
  /** Starts the cli as a process that keeps running (`events`); the caller reads and ends it. */
  spawnCli(args: string[], env?: Record<string, string>): ChildProcess;
  stop(): Promise<void>;
}

/**
 * The api as its own process (from source) on a fresh Redis prefix and database schema, and
 * in-process workers: `maintenance.health_check` completes (reporting progress), and
 * `file.checksum_file` fails for good, so dead letters exist; `sync.fetch_url` runs until
 * `release()`, so running tasks can be seen.
 */
export async function startCliSystem(label: string): Promise<CliSystem> {
  const redis = await createTestRedis(label);
  const testDb = await createTestDatabase(label);
  // Revocation takes effect on the next request.
  const api = await startApiProcess(root, { redis, database: testDb, env: { API_KEY_CACHE_MS: '1' } });
  const { baseUrl, adminKey } = api;
  const logger = createLogger('worker', { level: 'silent' });
  // The workers' rows reach the table through the stream and its projector, as in a worker app.
  const runtime = await createTestRuntime({
    redis,
    database: testDb,
    registry: new TaskRegistry([maintenance.healthCheck, file.checksumFile, sync.fetchUrl]),
    logger,
  });
  const { records, events } = runtime;
  const common = { connection: redis.redis, prefix: redis.prefix, records, logger, events };
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const workers = [
    new TaskWorker({
      ...common,
      queue: 'maintenance',
      tasks: [
        implementTask(maintenance.healthCheck, async (_payload, context) => {
          await context.progress(50, 'half way');
          return { redisMs: 1, databaseMs: 1, checkedAt: new Date().toISOString() };
        }),
      ],
    }),
    new TaskWorker({
      ...common,
      queue: 'file',
      tasks: [
        implementTask(file.checksumFile, async ({ path }) => {
          throw new NonRetryableError(`no such file: ${path}`);
        }),
      ],
    }),
    new TaskWorker({
      ...common,
      queue: 'sync',
      tasks: [
        implementTask(sync.fetchUrl, async (_payload, context) => {
          await context.progress(10, 'waiting');
          await gate;
          return { status: 200, notModified: false, etag: null, bytes: 0, sha256: null };
        }),
      ],
    }),
  ];
  await Promise.all(workers.map((worker) => worker.start()));

  return {
    baseUrl,
    adminKey,
    redis,
    testDb,
    release: () => release(),
    cli: (args, options = {}) =>
      runCli(
        args,
        {
          FOREMAN_URL: baseUrl,
          FOREMAN_API_KEY: adminKey,
          ...options.env,
        },
        options.input,
      ),
    spawnCli: (args, env = {}) =>
      spawn(process.execPath, ['--conditions=development', '--import', 'tsx', bin, ...args], {
        cwd: root,
        env: { ...cliEnv(), FOREMAN_URL: baseUrl, FOREMAN_API_KEY: adminKey, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    async stop() {
      release();
      await Promise.all(workers.map((worker) => worker.close()));
      await runtime.stop();
      await api.stop();
      await redis.cleanup();
      await testDb.drop();
    },
  };
}

/** Runs `foreman <args>` as a process, as an operator would (node + tsx on the sources). */
export function runCli(args: string[], env: Record<string, string>, input = ''): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--conditions=development', '--import', 'tsx', bin, ...args],
      {
        cwd: root,
        env: { ...cliEnv(), ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({
          code,
          stdout,
          stderr,
          json: () => JSON.parse(stdout),
          error: () => (JSON.parse(stderr) as { error: { code: string; message: string } }).error,
        });
      },
    );
    child.stdin?.end(input);
  });
}

/** Not the test's own database settings: each test says what the cli gets. */
const cliEnv = () => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_OPTIONS: '' });
