import { testDatabaseUrl } from '@foreman/db/testing';
import { createTestRedis, type TestRedis, waitFor } from '../src/testing.js';
import { faultHarness } from './fault-harness.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
import type { WorkerProcess } from './worker-process.js';

const TASKS = 200;

interface RecordStats {
  written: number;
  dropped: number;
  buffered: number;
  failedFlushes: number;
}

const recordStats = async (worker: WorkerProcess) => {
  const { status, body } = await worker.ready();
  return { status, records: body.records as RecordStats };
};

/** The probe's answer and how long it took. */
const timed = async (probe: () => Promise<{ status: number; body: Record<string, unknown> }>) => {
  const started = performance.now();
  const answer = await probe();
  return { ...answer, ms: performance.now() - started };
};

describe('PostgreSQL unreachable while workers run', () => {
  let testRedis: TestRedis;
  let proxy: TcpProxy;
  let h: Awaited<ReturnType<typeof faultHarness>>;
  let viaProxy: string;

  beforeAll(async () => {
    testRedis = await createTestRedis('outage');
    h = await faultHarness('outage', testRedis.url, testRedis.prefix);
    const target = new URL(testDatabaseUrl);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    target.port = String(proxy.port);
    viaProxy = target.toString();
  }, 60_000);
  afterAll(async () => {
    await h.close();
    await proxy.close();
    await testRedis.cleanup();
  });

  /** Submits a batch and waits until the queue has run all of it, database or not. */
  const runBatch = async (label: string) => {
    const submitted = await h.client.submitBulk(
      Array.from({ length: TASKS }, (_, index) => ({
        name: 'fault.echo_key',
        payload: { key: `${label}-${index}` },
      })),
    );
    const queue = h.client.queue('fault');
    await waitFor(
      async () => {
        const states = await Promise.all(submitted.map(({ taskId }) => queue.getJobState(taskId)));
        return states.every((state) => state === 'completed') ? true : undefined;
      },
      { what: `the ${label} batch to run`, timeoutMs: 60_000, intervalMs: 250 },
    );
  };

  it('keeps processing, buffers record updates within the bound, and lands them all afterwards', async () => {
    const worker = await h.startWorker({ DATABASE_URL: viaProxy });
    proxy.cut();
    await runBatch('kept');
    const during = await recordStats(worker);
    // Readiness says the database is away, and still reports the buffered records.
    expect(during.status).toBe(503);
    expect(during.records.buffered).toBeGreaterThan(0);
    expect(during.records.failedFlushes).toBeGreaterThan(0);
    expect(await h.statuses('kept-%')).toEqual({ pending: TASKS });

    proxy.restore();
    await waitFor(async () => ((await h.statuses('kept-%')).completed === TASKS ? true : undefined), {
      what: 'every buffered record to land',
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    const after = await recordStats(worker);
    expect(after.status).toBe(200);
    expect(after.records).toMatchObject({ dropped: 0, buffered: 0 });
    await worker.stop();
  }, 120_000);

  it('counts, logs and reports the updates it drops once the bound is exceeded', async () => {
    const worker = await h.startWorker({ DATABASE_URL: viaProxy, RECORD_BUFFER_MAX: '50' });
    proxy.cut();
    await runBatch('dropped');
    const during = await recordStats(worker);
    // Each task's updates merge into one buffered row; all but the newest 50 rows were dropped.
    expect(during.records.buffered).toBe(50);
    expect(during.records.dropped).toBeGreaterThanOrEqual(TASKS - 50);
    expect(worker.logs.some((line) => line.includes('task record buffer full'))).toBe(true);

    proxy.restore();
    await waitFor(async () => ((await recordStats(worker)).records.buffered === 0 ? true : undefined), {
      what: 'the buffer to drain',
      timeoutMs: 30_000,
    });
    const statuses = await h.statuses('dropped-%');
    // What was kept landed; what was dropped stays at the submit's record, and was counted.
    expect(statuses).toEqual({ completed: 50, pending: TASKS - 50 });
    expect((await recordStats(worker)).records.dropped).toBeGreaterThanOrEqual(TASKS - 50);
    await worker.stop();
  }, 120_000);

  it.each([
    ['cut', () => proxy.cut()],
    ['stalled', () => proxy.stall()],
  ])(
    'answers liveness at once and readiness 503 within its timeout while PostgreSQL is %s',
    async (_, outage) => {
      const worker = await h.startWorker({ DATABASE_URL: viaProxy, HEALTH_CHECK_TIMEOUT_MS: '1000' });
      expect((await worker.ready()).status).toBe(200);
      outage();
      try {
        for (let probe = 0; probe < 3; probe += 1) {
          const live = await timed(() => worker.health());
          expect(live).toMatchObject({ status: 200, body: { status: 'ok', service: 'fault-worker' } });
          expect(live.ms).toBeLessThan(500);
          const ready = await timed(() => worker.ready());
          expect(ready).toMatchObject({
            status: 503,
            body: { status: 'unavailable', redis: { ok: true }, database: { ok: false } },
          });
          expect(ready.ms).toBeLessThan(1_800);
        }
      } finally {
        proxy.restore();
      }
      await waitFor(async () => ((await worker.ready()).status === 200 ? true : undefined), {
        what: 'readiness once PostgreSQL is back',
        timeoutMs: 15_000,
        intervalMs: 250,
      });
      await worker.stop();
    },
    60_000,
  );
});
