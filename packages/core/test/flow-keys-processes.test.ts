import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import type { Runtime } from '../src/app/create-runtime.js';
import type { TaskClient } from '../src/client/task-client.js';
import { TaskRegistry } from '../src/task/task-registry.js';
import { createTestRedis, createTestRuntime, type TestRedis, waitFor } from '../src/testing.js';
import { lockedWork, modelCall, pacedWork } from './flow-work.js';
import { mostAtOnce } from './most-at-once.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';

// Two real worker processes share queue "flow-test", whose tasks declare flow keys; each handler
// logs its own start and end in Redis. Both kinds of queue: admitted for its keys only (each key
// its own list), and in FAIRNESS too (tasks wait in their user's list, the keys' limits checked on
// top) with a small ready window, which keeps admitted-but-not-started work (a pause cannot hold
// it back) to two tasks.
const MODES: Array<[string, string]> = [
  ['a queue admitted for its keys only', '{}'],
  ['a FAIRNESS queue', JSON.stringify({ 'flow-test': { readyWindow: 2 } })],
];
const RETRY_AFTER_S = 2;

interface Entry {
  kind: 'locked' | 'paced' | 'model';
  key: string;
  taskId: string;
  pid: number;
  start: number;
  end?: number;
  attempt?: number;
  status?: number;
}

describe.each(MODES.map(([label, fairness], mode) => [label, fairness, mode] as const))(
  'flow keys across two real worker processes, on %s',
  (_label, FAIRNESS, mode) => {
    let redis: TestRedis;
    let database: TestDatabase;
    let runtime: Runtime;
    let client: TaskClient;
    let model: Server;
    let modelUrl: string;
    /** What the model server saw: provider, arrival, status answered. */
    const calls: Array<{ provider: string; at: number; status: number }> = [];
    let pausedUntil = 0;
    const workers: WorkerProcess[] = [];

    /** Provider "a" answers 429 + Retry-After from its first call until that wait is over; "b" never. */
    function startModelServer(): Promise<void> {
      model = createServer((request, response) => {
        request.resume();
        request.on('end', () => {
          const provider = (request.url ?? '').slice(1);
          const at = Date.now();
          if (provider === 'a' && pausedUntil === 0) pausedUntil = at + RETRY_AFTER_S * 1_000;
          const status = provider === 'a' && at < pausedUntil ? 429 : 200;
          calls.push({ provider, at, status });
          const headers = status === 429 ? { 'retry-after': String(RETRY_AFTER_S) } : {};
          setTimeout(() => response.writeHead(status, headers).end('{}'), provider === 'b' ? 100 : 20);
        });
      });
      return new Promise((resolve) =>
        model.listen(0, '127.0.0.1', () => {
          modelUrl = `http://127.0.0.1:${(model.address() as AddressInfo).port}`;
          resolve();
        }),
      );
    }

    function startWorker(): Promise<WorkerProcess> {
      return startWorkerProcess(
        {
          REDIS_URL: redis.url,
          QUEUE_PREFIX: redis.prefix,
          DATABASE_URL: database.url,
          DATABASE_SCHEMA: database.schema,
          WORKER_CONCURRENCY: '4',
          FAIRNESS,
          MODEL_URL: modelUrl,
        },
        'flow-worker-main.ts',
      );
    }

    async function entries(kind: Entry['kind']): Promise<Entry[]> {
      const lines = await redis.redis.lrange(`${redis.prefix}:probe:log`, 0, -1);
      return lines.map((line) => JSON.parse(line) as Entry).filter((entry) => entry.kind === kind);
    }

    /** The most of these handler runs open at one moment. */
    const peak = (runs: Entry[]) =>
      mostAtOnce(runs.map((run) => ({ start: run.start, end: run.end ?? run.start })));

    beforeAll(async () => {
      redis = await createTestRedis(`flow-procs-${mode}`);
      database = await createTestDatabase(`flow_procs_${mode}`);
      await startModelServer();
      runtime = await createTestRuntime({
        redis,
        database,
        registry: new TaskRegistry([lockedWork, pacedWork, modelCall]),
        env: { FAIRNESS },
        project: false,
      });
      ({ client } = runtime);
      workers.push(...(await Promise.all([startWorker(), startWorker()])));
    }, 90_000);

    afterAll(async () => {
      await Promise.all(workers.map((worker) => worker.stop()));
      await runtime.stop();
      await new Promise((resolve) => model.close(resolve));
      await redis.cleanup();
      await database.drop();
    }, 60_000);

    describe('flow keys', () => {
      it('never runs two tasks of a concurrency-1 key at once, while other keys run meanwhile', async () => {
        const mailboxes = ['m1', 'm2', 'm3', 'm4'];
        await client.submitBulk(
          Array.from({ length: 15 }, () => mailboxes).flatMap((keys) =>
            keys.map((mailbox) => ({ name: lockedWork.name, payload: { mailbox, ms: 40 } })),
          ),
        );
        const runs = await waitFor(
          async () => {
            const logged = await entries('locked');
            return logged.length === 60 ? logged : undefined;
          },
          { timeoutMs: 30_000, intervalMs: 100, what: 'the 60 keyed tasks' },
        );
        for (const mailbox of mailboxes) {
          const own = runs.filter((run) => run.key === mailbox);
          expect(own).toHaveLength(15);
          expect(peak(own)).toBe(1);
        }
        // Other keys ran alongside, on both processes.
        expect(peak(runs)).toBeGreaterThanOrEqual(3);
        expect(new Set(runs.map((run) => run.pid)).size).toBe(2);
        console.log(`four concurrency-1 keys: at most ${peak(runs)} running at once across keys`);
      }, 60_000);

      it('holds a throttle of 10/s to 95-105 starts in 10 s across both processes', async () => {
        await client.submitBulk(
          Array.from({ length: 130 }, () => ({ name: pacedWork.name, payload: { source: 's1', ms: 5 } })),
        );
        const starts = await waitFor(
          async () => {
            const logged = (await entries('paced')).map((entry) => entry.start);
            return logged.length > 0 && Date.now() - Math.min(...logged) > 10_500 ? logged : undefined;
          },
          { timeoutMs: 40_000, intervalMs: 200, what: '10.5 s of the throttled key' },
        );
        const first = Math.min(...starts);
        const inTenSeconds = starts.filter((start) => start < first + 10_000).length;
        expect(inTenSeconds).toBeGreaterThanOrEqual(95);
        expect(inTenSeconds).toBeLessThanOrEqual(105);
        expect(new Set((await entries('paced')).map((entry) => entry.pid)).size).toBe(2);
        console.log(`throttle 10/s: ${inTenSeconds} starts in 10 s`);
      }, 60_000);

      it("pauses a provider's key on its 429 for the Retry-After while another provider runs", async () => {
        const submitted = await client.submitBulk([
          ...Array.from({ length: 8 }, () => ({ name: modelCall.name, payload: { provider: 'a' } })),
          // One at a time (a submit's own limits), so provider b keeps running through the pause.
          ...Array.from({ length: 30 }, () => ({
            name: modelCall.name,
            payload: { provider: 'b' },
            options: { flow: { key: 'provider', scope: 'provider', concurrency: 1 } },
          })),
        ]);
        for (const task of submitted) await client.waitFor(task, { timeoutMs: 30_000 });

        const firstRefusal = Math.min(...calls.filter((call) => call.status === 429).map((call) => call.at));
        const pauseEnds = firstRefusal + RETRY_AFTER_S * 1_000;
        // Provider a's throttle (5/s) would start one every 200 ms: tasks already started or in the
        // ready window when the 429 came may still call (and be refused); after that, provider a is
        // not called again until its Retry-After is over.
        const aDuringPause = calls.filter(
          (call) => call.provider === 'a' && call.at > firstRefusal + 500 && call.at < pauseEnds - 50,
        );
        expect(aDuringPause).toEqual([]);
        const bDuringPause = calls.filter(
          (call) => call.provider === 'b' && call.at > firstRefusal + 500 && call.at < pauseEnds - 50,
        );
        expect(bDuringPause.length).toBeGreaterThanOrEqual(5);
        // Every task of provider a completed, on its first attempt, after the pause.
        const aRuns = await entries('model');
        const completedA = aRuns.filter((run) => run.key === 'a' && run.status === 200);
        expect(completedA).toHaveLength(8);
        expect(completedA.every((run) => run.start >= pauseEnds - 100)).toBe(true);
        expect(aRuns.every((run) => run.attempt === 1)).toBe(true);
        const refused = calls.filter((call) => call.status === 429).length;
        console.log(
          `provider a: ${refused} calls refused around the 429, none for ${RETRY_AFTER_S} s after; provider b: ${bDuringPause.length} calls meanwhile`,
        );
      }, 60_000);
    });
  },
);
