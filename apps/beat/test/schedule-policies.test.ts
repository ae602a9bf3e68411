import { baseEnvSchema, loadConfig } from '@foreman/config';
import { FairScheduler } from '@foreman/core';
import { waitFor } from '@foreman/core/testing';
import { runTaskId, ScheduleStore, type ScheduleView, scheduleKey } from '@foreman/schedules';
import { Queue } from 'bullmq';
import { fakeClock } from './fake-clock.js';
import { beatHarness, tick } from './fixtures.js';

// The real beat (startBeat) over the real schedules table, stopped and started again. Only Date
// is faked, so a beat "down" for minutes costs no wall time; ticks, Redis and PostgreSQL are real.
const MINUTE = 60_000;
const BASE = Date.parse('2026-06-01T12:00:00Z');
const M = (minutes: number) => BASE + minutes * MINUTE;

describe('schedule policies with a stopped and restarted beat', () => {
  let h: Awaited<ReturnType<typeof beatHarness>>;
  let store: ScheduleStore;
  let queue: Queue;
  let clock: ReturnType<typeof fakeClock> | undefined;

  beforeAll(async () => {
    h = await beatHarness('beat_policies');
    store = new ScheduleStore(h.database.database.db);
    queue = new Queue(tick.queue, { connection: h.redis.redis, prefix: h.redis.prefix });
  });
  afterEach(() => clock?.restore());
  afterAll(async () => {
    await queue.close();
    await h.close();
  });

  const row = async (id: string) => (await store.get(id)) as ScheduleView;
  /** Occurrences whose run was submitted, from the runs' task ids. */
  const runs = async (id: string) =>
    (await queue.getJobs(['waiting', 'prioritized', 'active', 'completed', 'failed']))
      .map((job) => job.id as string)
      .filter((jobId) => jobId.startsWith(`${id}-`))
      .map((jobId) => Number(jobId.slice(id.length + 1)))
      .sort((a, b) => a - b);
  const until = (what: string, check: () => Promise<boolean>) =>
    waitFor(async () => ((await check()) ? true : undefined), { what, timeoutMs: 20_000 });
  const nextRunIs = (ids: string[], at: number) =>
    until(`next runs at ${new Date(at).toISOString()}`, async () => {
      const rows = await Promise.all(ids.map(row));
      return rows.every((r) => r.nextRunAt?.getTime() === at);
    });

  it('misfire: run_once, run_all (cap 3) and skip for the minutes beat was down', async () => {
    clock = fakeClock(M(0) + 10_000);
    let beat = await h.start([]);
    const policies = {
      'mf-skip': { misfirePolicy: 'skip' },
      'mf-once': { misfirePolicy: 'run_once' },
      'mf-all': { misfirePolicy: 'run_all', misfireCap: 3 },
    } as const;
    const ids = Object.keys(policies);
    for (const [id, policy] of Object.entries(policies)) {
      const created = await beat.schedules.create({
        id,
        task: tick.name,
        payload: { label: id },
        everyMs: MINUTE,
        overlapPolicy: 'allow',
        ...policy,
      });
      expect(created).toMatchObject({ nextRunAt: new Date(M(1)), lastRunAt: null, overlapPolicy: 'allow' });
    }
    clock.set(M(1) + 100);
    await nextRunIs(ids, M(2));
    for (const id of ids) expect(await runs(id)).toEqual([M(1)]);

    // Down from just after the 1-minute run until 5.5 minutes: 2, 3, 4 and 5 are missed.
    await h.stop(beat);
    clock.set(M(5) + 30_000);
    beat = await h.start([]);
    await nextRunIs(ids, M(6));
    expect(await runs('mf-skip')).toEqual([M(1)]);
    expect(await runs('mf-once')).toEqual([M(1), M(5)]);
    expect(await runs('mf-all')).toEqual([M(1), M(3), M(4), M(5)]);
    expect((await Promise.all(ids.map(row))).map((r) => r.skippedRuns)).toEqual([4, 3, 1]);
    const once = await row('mf-once');
    expect(once.lastTaskId).toBe(runTaskId('mf-once', M(5)));
    expect(once.lastRunAt?.getTime()).toBe(M(5) + 30_000);

    // Back to normal afterwards: the next occurrence runs on time, for every policy.
    clock.set(M(6) + 100);
    await nextRunIs(ids, M(7));
    for (const id of ids) expect((await runs(id)).at(-1)).toBe(M(6));
    for (const id of ids) await beat.schedules.delete(id);
    await h.stop(beat);
  });

  it('overlap: skip, queue_one and allow while the previous run is still going across a restart', async () => {
    clock = fakeClock(M(10) + 10_000);
    let beat = await h.start([]);
    const ids = ['ov-skip', 'ov-queue-one', 'ov-allow'];
    for (const [id, overlapPolicy] of [
      ['ov-skip', 'skip'],
      ['ov-queue-one', 'queue_one'],
      ['ov-allow', 'allow'],
    ] as const) {
      await beat.schedules.create({
        id,
        task: tick.name,
        payload: { label: id },
        everyMs: MINUTE,
        overlapPolicy,
      });
    }
    // No worker yet: each run stays queued, so it has not finished when the next one comes.
    clock.set(M(11) + 100);
    await nextRunIs(ids, M(12));

    // Beat restarts while those runs are still going; two more occurrences come, on time.
    await h.stop(beat);
    clock.set(M(12) + 100);
    beat = await h.start([]);
    await nextRunIs(ids, M(13));
    clock.set(M(13) + 100);
    await nextRunIs(ids, M(14));
    expect(await runs('ov-skip')).toEqual([M(11)]);
    expect(await runs('ov-queue-one')).toEqual([M(11)]);
    expect((await row('ov-queue-one')).queuedRunAt?.getTime()).toBe(M(13));
    expect(await runs('ov-allow')).toEqual([M(11), M(12), M(13)]);

    // The runs finish: queue_one's held occurrence runs at the next tick, nothing else does.
    const worker = h.tickWorker();
    await worker.start();
    await until('the held 13-minute run', async () => (await runs('ov-queue-one')).length === 2);
    await until(
      'every run to finish',
      async () => (await queue.getJobCounts('waiting', 'active')).waiting === 0,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await runs('ov-skip')).toEqual([M(11)]);
    expect(await runs('ov-queue-one')).toEqual([M(11), M(13)]);
    expect(await runs('ov-allow')).toEqual([M(11), M(12), M(13)]);
    expect((await Promise.all(ids.map(row))).map((r) => [r.skippedRuns, r.queuedRunAt])).toEqual([
      [2, null],
      [1, null],
      [0, null],
    ]);
    for (const id of ids) await beat.schedules.delete(id);
    await h.stop(beat);
  });

  it("fires a user's schedule as that user, through fair admission on a fair queue", async () => {
    const FAIRNESS = JSON.stringify({ [tick.queue]: { readyWindow: 4 } });
    clock = fakeClock(M(20) + 10_000);
    const beat = await h.start([], { FAIRNESS });
    // A user's schedule is stored under its id and its owner's tag (ids are per user).
    const owned = scheduleKey('owned', 'u1');
    await beat.schedules.create(
      { id: 'owned', task: tick.name, payload: { label: 'owned' }, everyMs: MINUTE },
      { userId: 'u1' },
    );
    clock.set(M(21) + 100);
    await nextRunIs([owned], M(22));
    // No dispatcher runs on this queue: the run waits for admission in its owner's list.
    const fairness = new FairScheduler({
      connection: h.redis.redis,
      prefix: h.redis.prefix,
      settings: loadConfig(baseEnvSchema, { FAIRNESS }).FAIRNESS,
    });
    const metrics = await fairness.metrics(tick.queue);
    expect(metrics.users).toEqual([expect.objectContaining({ userId: 'u1', waiting: 1, running: 0 })]);
    expect(await queue.getJob(runTaskId(owned, M(21)))).toBeUndefined();
    expect(await fairness.holds(tick.queue, runTaskId(owned, M(21)))).toBe(true);
    // Still waiting for admission counts as running for the overlap policy (skip by default).
    clock.set(M(22) + 100);
    await nextRunIs([owned], M(23));
    expect((await row(owned)).skippedRuns).toBe(1);
    await beat.schedules.delete('owned');
    await h.stop(beat);
  });
});
