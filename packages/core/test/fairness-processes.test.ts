import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import type { Runtime } from '../src/app/create-runtime.js';
import { userSubmitter } from '../src/client/submitter.js';
import type { TaskClient } from '../src/client/task-client.js';
import type { FairScheduler } from '../src/fairness/fair-scheduler.js';
import { TaskRegistry } from '../src/task/task-registry.js';
import { createTestRedis, createTestRuntime, type TestRedis, waitFor } from '../src/testing.js';
import { fairWork } from './fair-work.js';
import { mostAtOnce } from './most-at-once.js';

// Two real worker processes share one fair queue; everything they run is logged in Redis.
const READY_WINDOW = 4;
const CONCURRENCY_PER_PROCESS = 4;
const FAIRNESS = JSON.stringify({ 'fair-test': { readyWindow: READY_WINDOW } });
const root = fileURLToPath(new URL('..', import.meta.url));

interface Run {
  user: string;
  taskId: string;
  pid: number;
  start: number;
  end: number;
}

let redis: TestRedis;
let database: TestDatabase;
let runtime: Runtime;
let client: TaskClient;
let fairness: FairScheduler;
const workers: ChildProcess[] = [];

function startWorker(): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=development', '--import', 'tsx', 'test/fair-worker-main.ts'],
    {
      cwd: root,
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        LOG_LEVEL: 'info',
        REDIS_URL: redis.url,
        QUEUE_PREFIX: redis.prefix,
        DATABASE_URL: database.url,
        DATABASE_SCHEMA: database.schema,
        WORKER_CONCURRENCY: String(CONCURRENCY_PER_PROCESS),
        FAIRNESS,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  workers.push(child);
  const logs: string[] = [];
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      logs.push(chunk.toString());
      if (chunk.toString().includes('"msg":"worker started"')) resolve(child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}:\n${logs.join('')}`)));
  });
}

async function runs(): Promise<Run[]> {
  const lines = await redis.redis.lrange(`${redis.prefix}:probe:log`, 0, -1);
  return lines.map((line) => JSON.parse(line) as Run);
}

const submit = (userId: string, count: number, ms: number) =>
  client.submitBulk(
    Array.from({ length: count }, () => ({
      name: fairWork.name,
      payload: { ms },
      options: { userId, submitter: userSubmitter(userId, false) },
    })),
  );

beforeAll(async () => {
  redis = await createTestRedis('fair-procs');
  database = await createTestDatabase('fair_procs');
  // The workers' projectors store the records.
  runtime = await createTestRuntime({
    redis,
    database,
    registry: new TaskRegistry([fairWork]),
    env: { FAIRNESS },
    project: false,
  });
  ({ client, fairness } = runtime);
  await Promise.all([startWorker(), startWorker()]);
}, 90_000);

afterAll(async () => {
  await Promise.all(
    workers.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  await runtime.stop();
  await redis.cleanup();
  await database.drop();
}, 60_000);

describe('fair sharing across two real worker processes', () => {
  it('holds a user to a concurrency of 2 and a rate of 10/s across both processes', async () => {
    await fairness.setUserLimits('fair-test', 'limited', { concurrency: 2 });
    await fairness.setUserLimits('fair-test', 'paced', { rate: { count: 10, intervalMs: 1_000 } });
    await submit('limited', 120, 40);
    await submit('paced', 130, 5);

    const done = await waitFor(
      async () => {
        const all = await runs();
        const paced = all.filter((run) => run.user === 'paced').map((run) => run.start);
        return paced.length > 0 && Date.now() - Math.min(...paced) > 10_500 ? all : undefined;
      },
      { timeoutMs: 40_000, intervalMs: 200, what: '10.5 s of the paced user' },
    );

    // Concurrency: the peak counted in Redis as tasks enter, and overlaps of logged intervals.
    const peak = await redis.redis.hget(`${redis.prefix}:probe:peak`, 'limited');
    expect(Number(peak)).toBe(2);
    const limited = done.filter((run) => run.user === 'limited');
    expect(limited.length).toBeGreaterThan(40);
    const most = mostAtOnce(limited);
    expect(most).toBeLessThanOrEqual(2);
    expect(new Set(limited.map((run) => run.pid)).size).toBe(2);

    // Rate: starts in the 10 s after the first one.
    const paced = done.filter((run) => run.user === 'paced').map((run) => run.start);
    const first = Math.min(...paced);
    const inTenSeconds = paced.filter((start) => start < first + 10_000).length;
    expect(inTenSeconds).toBeGreaterThanOrEqual(90);
    expect(inTenSeconds).toBeLessThanOrEqual(110);
    expect(new Set(done.filter((run) => run.user === 'paced').map((run) => run.pid)).size).toBe(2);
    console.log(`paced user: ${inTenSeconds} starts in 10 s; limited user peak ${peak}`);
  }, 60_000);

  it("starts all of a small user's tasks while a big user with 5,000 waiting runs only a few", async () => {
    await submit('big', 5_000, 10);
    await waitFor(
      async () => ((await runs()).filter((run) => run.user === 'big').length >= 100 ? true : undefined),
      {
        timeoutMs: 30_000,
        what: "100 of the big user's tasks to run",
      },
    );
    const submittedAt = Date.now();
    await submit('small', 10, 10);
    const small = await waitFor(
      async () => {
        const started = (await runs()).filter((run) => run.user === 'small');
        return started.length === 10 ? started : undefined;
      },
      { timeoutMs: 30_000, what: "the small user's 10 tasks to run" },
    );
    const lastSmallStart = Math.max(...small.map((run) => run.start));
    // Started, so logged once they end: give the big user's last ones time to finish.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const bigMeanwhile = (await runs()).filter(
      (run) => run.user === 'big' && run.start >= submittedAt && run.start <= lastSmallStart,
    ).length;
    // Bound: the big user's tasks already in BullMQ's ready window, one admitted per small task
    // (round-robin) plus one, and the tasks that both processes' slots may fetch out of order.
    const bound = READY_WINDOW + 10 + 1 + 2 * CONCURRENCY_PER_PROCESS;
    expect(bigMeanwhile).toBeLessThanOrEqual(bound);
    const metrics = await fairness.metrics('fair-test');
    expect(metrics.users.find((user) => user.userId === 'big')).toMatchObject({
      waiting: expect.any(Number),
      oldestWaitingMs: expect.any(Number),
    });
    expect(metrics.users.find((user) => user.userId === 'big')!.waiting).toBeGreaterThan(4_000);
    console.log(
      `small user's 10 tasks all started ${lastSmallStart - submittedAt} ms after submit; the big user started ${bigMeanwhile} meanwhile (bound ${bound})`,
    );
  }, 60_000);
});
