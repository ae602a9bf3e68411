import { sql, tasks } from '@foreman/db';
import { testDatabaseUrl } from '@foreman/db/testing';
import { createTestRedis, type TestRedis, waitFor } from '../src/testing.js';
import { faultHarness } from './fault-harness.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
import type { WorkerProcess } from './worker-process.js';

const TASKS = 200;
const OUTAGE_TASKS = 5_000;

interface RecordStats {
  written: number;
  dropped: number;
  buffered: number;
  failedFlushes: number;
}

interface ProjectorStats {
  projected: number;
  lost: number;
  lag: number | null;
}

const recordStats = async (worker: WorkerProcess) => {
  const { status, body } = await worker.ready();
  return { status, records: body.records as RecordStats, projector: body.projector as ProjectorStats };
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
  const runBatch = async (label: string, size = TASKS) => {
    const submitted: Array<{ taskId: string }> = [];
    for (let start = 0; start < size; start += 1_000) {
      submitted.push(
        ...(await h.client.submitBulk(
          Array.from({ length: Math.min(1_000, size - start) }, (_, index) => ({
            name: 'fault.echo_key',
            payload: { key: `${label}-${start + index}` },
          })),
        )),
      );
    }
    const queue = h.client.queue('fault');
    await waitFor(
      async () => {
        const counts = await queue.getJobCounts('completed');
        return (counts.completed ?? 0) >= submitted.length &&
          (await Promise.all(submitted.map(({ taskId }) => queue.getJobState(taskId)))).every(
            (state) => state === 'completed',
          )
          ? true
          : undefined;
      },
      { what: `the ${label} batch to run`, timeoutMs: 120_000, intervalMs: 250 },
    );
    return submitted;
  };

  it(`drains ${OUTAGE_TASKS} tasks while the database is away, and every record is right once it returns`, async () => {
    const worker = await h.startWorker({ DATABASE_URL: viaProxy, WORKER_CONCURRENCY: '16' });
    proxy.cut();
    const submitted = await runBatch('kept', OUTAGE_TASKS);
    // Every task ran during the outage: no slot waited for the database.
    const during = await recordStats(worker);
    // Readiness says the database is away, and still reports the buffered records.
    expect(during.status).toBe(503);
    expect(during.projector.lag).toBeGreaterThan(0);
    expect(during.projector.lost).toBe(0);
    // Nothing reached the table: the submits' pending rows wait in the stream with the rest.
    expect(await h.statuses('kept-%')).toEqual({});

    proxy.restore();
    await waitFor(async () => ((await h.statuses('kept-%')).completed === OUTAGE_TASKS ? true : undefined), {
      what: 'every record to land',
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const { rows } = await h.db.execute<{ wrong: string }>(
      sql`select count(*) as wrong from ${tasks} where payload->>'key' like 'kept-%'
          and (result->>'key' is distinct from payload->>'key' or attempts <> 1 or completed_at is null)`,
    );
    expect(Number(rows[0]?.wrong)).toBe(0);
    expect(submitted).toHaveLength(OUTAGE_TASKS);
    const after = await waitFor(async () => {
      const stats = await recordStats(worker);
      return stats.projector.lag === 0 ? stats : undefined;
    });
    expect(after.status).toBe(200);
    expect(after.records).toMatchObject({ dropped: 0, buffered: 0 });
    expect(after.projector.lost).toBe(0);
    await worker.stop();
  }, 240_000);

  it('loses nothing with a record buffer smaller than the backlog: the projector reads no more than it holds', async () => {
    const worker = await h.startWorker({ DATABASE_URL: viaProxy, RECORD_BUFFER_MAX: '50' });
    proxy.cut();
    await runBatch('small');
    const during = await recordStats(worker);
    expect(during.records.buffered).toBeLessThanOrEqual(50);
    expect(during.records.dropped).toBe(0);

    proxy.restore();
    await waitFor(async () => ((await h.statuses('small-%')).completed === TASKS ? true : undefined), {
      what: 'every record to land',
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    expect((await recordStats(worker)).records.dropped).toBe(0);
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
