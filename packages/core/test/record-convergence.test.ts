import { deadLetters, inArray, tasks } from '@foreman/db';
import { taskEventsStream } from '../src/events/channels.js';
import { RecordProjector } from '../src/records/record-projector.js';
import { createTestRedis, type TestRedis, waitFor } from '../src/testing.js';
import { faultHarness } from './fault-harness.js';
import { logger } from './fixtures.js';

// A worker acknowledges a job once the step's row is in the event stream, not in PostgreSQL: a
// worker killed right after must lose nothing. No projector runs while the worker works, so every
// row is still only in Redis when it dies.
describe('records of a worker killed before its rows were stored', () => {
  let testRedis: TestRedis;
  let h: Awaited<ReturnType<typeof faultHarness>>;

  beforeAll(async () => {
    testRedis = await createTestRedis('converge');
    h = await faultHarness('converge', testRedis.url, testRedis.prefix);
  }, 60_000);
  afterAll(async () => {
    await h.close();
    await testRedis.cleanup();
  });

  it('converge to the queue’s final state once a projector runs', async () => {
    const worker = await h.startWorker({ RECORD_PROJECTOR: 'false' });
    const submitted = await h.client.submitBulk([
      ...Array.from({ length: 100 }, (_, i) => ({ name: 'fault.echo_key', payload: { key: `ok-${i}` } })),
      ...Array.from({ length: 10 }, (_, i) => ({ name: 'fault.flaky_key', payload: { key: `flaky-${i}` } })),
      ...Array.from({ length: 10 }, (_, i) => ({ name: 'fault.failing_key', payload: { key: `bad-${i}` } })),
    ]);
    const ids = submitted.map(({ taskId }) => taskId);
    const queue = h.client.queue('fault');
    await waitFor(
      async () => {
        const states = await Promise.all(ids.map((id) => queue.getJobState(id)));
        return states.every((state) => state === 'completed' || state === 'failed') ? true : undefined;
      },
      { what: 'every job to be acknowledged', timeoutMs: 60_000, intervalMs: 100 },
    );
    await worker.kill();

    // Acknowledged by the queue, and not one row in the table yet (the submit's pending rows
    // included): only the stream has them.
    expect(await h.statuses('%')).toEqual({});
    expect(await testRedis.redis.xlen(taskEventsStream(testRedis.prefix))).toBeGreaterThan(0);

    const projector = new RecordProjector({
      connection: h.redis,
      prefix: testRedis.prefix,
      records: h.records,
      logger,
      blockMs: 100,
    });
    await projector.start();
    try {
      const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
      const expected = await Promise.all(
        jobs.map(async (job) => {
          const status = await job!.getState();
          return {
            id: job!.id!,
            status,
            result: job!.returnvalue ?? null,
            // A completed job keeps the reason of its failed attempt: only a failed one's counts.
            error: status === 'failed' ? job!.failedReason : null,
            attempts: job!.attemptsStarted,
          };
        }),
      );
      const stored = await waitFor(
        async () => {
          const rows = await h.db.select().from(tasks).where(inArray(tasks.id, ids));
          return rows.length === ids.length &&
            rows.every((row) => row.status === 'completed' || row.status === 'failed')
            ? rows
            : undefined;
        },
        { what: 'every record to converge', timeoutMs: 30_000, intervalMs: 100 },
      );
      const actual = stored
        .map((row) => ({
          id: row.id,
          status: row.status,
          result: row.result,
          error: row.status === 'failed' ? row.error : null,
          attempts: row.attempts,
        }))
        .sort((a, b) => a.id.localeCompare(b.id));
      expect(actual).toEqual(expected.sort((a, b) => a.id.localeCompare(b.id)));
      expect(actual.filter((row) => row.status === 'failed')).toHaveLength(10);
      expect(stored.find((row) => row.name === 'fault.flaky_key')).toMatchObject({
        attempts: 2,
        result: { attempt: 2 },
      });

      const letters = await h.db.select().from(deadLetters).where(inArray(deadLetters.taskId, ids));
      expect(letters.map((letter) => letter.name)).toEqual(Array(10).fill('fault.failing_key'));
      for (const letter of letters) {
        expect(letter).toMatchObject({ attempts: 2, error: expect.stringMatching(/always fails/) });
      }
      expect(projector.stats.lost).toBe(0);
    } finally {
      await projector.close();
    }
  }, 120_000);
});
