import { waitFor } from '@foreman/core/testing';
import { jest } from '@jest/globals';
import { Queue } from 'bullmq';
import { beatHarness, tick } from './fixtures.js';

// Only Date is faked: Redis, PostgreSQL and every timer run for real, while BullMQ reads the clock.
const realTimers = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
] as const;

describe('daily schedules across daylight-saving transitions (Europe/Berlin 02:30)', () => {
  let h: Awaited<ReturnType<typeof beatHarness>>;
  beforeAll(async () => {
    h = await beatHarness('beat_dst');
  });
  afterEach(() => {
    jest.useRealTimers();
  });
  afterAll(() => h.close());

  it('runs at 03:30 on the day 02:30 does not exist, then at 02:30 again', async () => {
    jest.useFakeTimers({ doNotFake: [...realTimers], now: Date.parse('2026-03-29T00:10:00Z') });
    const beat = await h.start([]);
    const schedule = await beat.schedules.create({
      id: 'dst-spring',
      task: tick.name,
      payload: { label: 'spring' },
      cron: '30 2 * * *',
      timezone: 'Europe/Berlin',
    });
    // 01:10 CET: the next run is 03:30 CEST, the local time clocks jump to.
    expect(schedule.nextRunAt?.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    jest.setSystemTime(Date.parse('2026-03-29T01:45:00Z'));
    await beat.schedules.update('dst-spring', { description: 'touched after the run time' });
    expect((await beat.schedules.get('dst-spring')).nextRunAt?.toISOString()).toBe(
      '2026-03-30T00:30:00.000Z',
    );
    await beat.schedules.delete('dst-spring');
    await h.stop(beat);
  });

  it('runs once on the day 02:30 happens twice, even when the run is taken late or beat restarts', async () => {
    jest.useFakeTimers({ doNotFake: [...realTimers], now: Date.parse('2026-10-25T00:29:59Z') });
    const beat = await h.start([]);
    const created = await beat.schedules.create({
      id: 'dst-autumn',
      task: tick.name,
      payload: { label: 'autumn' },
      cron: '30 2 * * *',
      timezone: 'Europe/Berlin',
    });
    expect(created.nextRunAt?.toISOString()).toBe('2026-10-25T00:30:00.000Z');

    // The first 02:30 (CEST) is taken 45 minutes late, at 02:15 CET: the repeated hour.
    jest.setSystemTime(Date.parse('2026-10-25T01:15:00Z'));
    const worker = h.tickWorker();
    const { started } = worker;
    await worker.start();
    await waitFor(() => (started.length > 0 ? true : undefined), { what: 'the 02:30 run' });
    expect(started).toEqual(['repeat:dst-autumn:1792888200000']);
    const queue = new Queue(tick.queue, { connection: h.redis.redis, prefix: h.redis.prefix });
    // The worker scheduled tomorrow's run, not the second 02:30 of today.
    await waitFor(
      async () => {
        const next = (await queue.getJobScheduler('dst-autumn'))?.next;
        return next === Date.parse('2026-10-26T01:30:00Z') ? next : undefined;
      },
      { what: 'the next run to be tomorrow 02:30' },
    );

    // A beat restarted in the repeated hour recomputes from "now" and still picks tomorrow.
    await h.stop(beat);
    const restarted = await h.start([]);
    await restarted.schedules.update('dst-autumn', { description: 'edited during the repeated hour' });
    expect((await restarted.schedules.get('dst-autumn')).nextRunAt?.toISOString()).toBe(
      '2026-10-26T01:30:00.000Z',
    );
    expect(started).toHaveLength(1);

    await queue.close();
  });
});
