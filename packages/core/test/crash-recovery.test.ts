import { and, gt, inArray, sql, tasks } from '@foreman/db';
import { createTestRedis, type TestRedis, waitFor } from '../src/testing.js';
import { faultHarness } from './fault-harness.js';
import type { WorkerProcess } from './worker-process.js';

const BURST = 10_000;

describe('worker processes killed with SIGKILL', () => {
  let testRedis: TestRedis;
  let h: Awaited<ReturnType<typeof faultHarness>>;

  beforeAll(async () => {
    testRedis = await createTestRedis('crash');
    h = await faultHarness('crash', testRedis.url, testRedis.prefix);
    await Promise.all([
      h.startWorker({ WORKER_CONCURRENCY: '32' }),
      h.startWorker({ WORKER_CONCURRENCY: '32' }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await h.close();
    await testRedis.cleanup();
  });

  const alive = () =>
    h.workers.filter((worker) => worker.child.exitCode === null && worker.child.signalCode === null);
  const owner = (taskId: string) =>
    waitFor(
      async () => {
        for (const worker of alive()) {
          const { body } = await worker.health();
          if ((body.runningTaskIds as string[]).includes(taskId)) return worker;
        }
        return undefined;
      },
      { what: `a worker to run ${taskId}`, timeoutMs: 30_000 },
    );

  it('gives a task whose worker was killed mid-run to another worker, which completes it', async () => {
    const { taskId } = await h.client.submit('fault.insert_key', { key: 'killed', holdMs: 3_000 });
    const victim = await owner(taskId);
    await victim.kill();
    const row = await waitFor(
      async () => {
        const [stored] = (
          await h.db.execute<{ status: string; attempts: number }>(
            sql`select status, attempts from tasks where id = ${taskId}`,
          )
        ).rows;
        return stored?.status === 'completed' ? stored : undefined;
      },
      { what: 'the task to complete elsewhere', timeoutMs: 30_000 },
    );
    // The killed run counts: the record shows both starts.
    expect(row.attempts).toBe(2);
    const { rows } = await h.db.execute<{ pid: number }>(
      sql`select pid from side_effects where key = 'killed'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.pid).not.toBe(victim.child.pid);
    await h.startWorker({ WORKER_CONCURRENCY: '32' });
  }, 90_000);

  it('cancels a task running in another process', async () => {
    const { taskId } = await h.client.submit('fault.insert_key', { key: 'cancelled', holdMs: 60_000 });
    await owner(taskId);
    await expect(h.client.cancel(taskId)).resolves.toMatchObject({ status: 'cancelling' });
    await waitFor(async () => ((await h.statuses('cancelled')).cancelled === 1 ? true : undefined), {
      what: 'the record to say cancelled',
    });
    expect(await h.sideEffects('cancelled')).toBe(0);
  }, 60_000);

  it(`runs a burst of ${BURST} tasks across two workers with kills: every side effect exactly once, every record terminal`, async () => {
    // Queued in full before two fresh workers start, so the kills below land on busy workers.
    await Promise.all(alive().map((worker) => worker.stop()));
    for (let start = 0; start < BURST; start += 1_000) {
      await h.client.submitBulk(
        Array.from({ length: 1_000 }, (_, index) => ({
          name: 'fault.insert_key',
          payload: { key: `burst-${start + index}` },
        })),
      );
    }
    await Promise.all([
      h.startWorker({ WORKER_CONCURRENCY: '32' }),
      h.startWorker({ WORKER_CONCURRENCY: '32' }),
    ]);
    // Kill each of the two workers once while the burst runs, starting a replacement each time.
    const interrupted: string[] = [];
    for (const threshold of [BURST * 0.25, BURST * 0.6]) {
      await waitFor(async () => ((await h.sideEffects('burst-%')) >= threshold ? true : undefined), {
        what: `${threshold} side effects`,
        timeoutMs: 120_000,
        intervalMs: 200,
      });
      const [victim] = alive() as [WorkerProcess];
      const { body } = await victim.health();
      await victim.kill();
      interrupted.push(...(body.runningTaskIds as string[]));
      await h.startWorker({ WORKER_CONCURRENCY: '32' });
    }
    await waitFor(
      async () => {
        const statuses = await h.statuses('burst-%');
        return statuses.completed === BURST ? statuses : undefined;
      },
      { what: 'every record to be completed', timeoutMs: 150_000, intervalMs: 500 },
    );
    expect(await h.statuses('burst-%')).toEqual({ completed: BURST });
    const { rows } = await h.db.execute<{ n: string; keys: string }>(
      sql`select count(*) as n, count(distinct key) as keys from side_effects where key like 'burst-%'`,
    );
    expect(rows[0]).toEqual({ n: String(BURST), keys: String(BURST) });
    // The kills hit running tasks: they were started again elsewhere and completed once.
    expect(interrupted.length).toBeGreaterThan(0);
    expect(
      await h.db.$count(tasks, and(inArray(tasks.id, interrupted), gt(tasks.attempts, 1))),
    ).toBeGreaterThan(0);
  }, 300_000);
});
