import { waitFor } from '@foreman/core/testing';
import { ScheduleStore } from '@foreman/schedules';
import { fakeClock } from './fake-clock.js';
import { beatHarness, tick } from './fixtures.js';

describe('daily schedules across daylight-saving transitions (Europe/Berlin 02:30)', () => {
  let h: Awaited<ReturnType<typeof beatHarness>>;
  let store: ScheduleStore;
  let clock: ReturnType<typeof fakeClock> | undefined;
  beforeAll(async () => {
    h = await beatHarness('beat_dst');
    store = new ScheduleStore(h.database.database.db);
  });
  afterEach(() => clock?.restore());
  afterAll(() => h.close());

  const nextRunOf = async (id: string) => (await store.get(id))?.nextRunAt?.toISOString();

  it('runs at 03:30 on the day 02:30 does not exist, then at 02:30 again', async () => {
    clock = fakeClock(Date.parse('2026-03-29T00:10:00Z'));
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
    clock.set(Date.parse('2026-03-29T01:30:00.200Z'));
    await waitFor(
      async () => ((await nextRunOf('dst-spring')) === '2026-03-30T00:30:00.000Z' ? true : undefined),
      { what: 'the 03:30 run and the next one tomorrow at 02:30' },
    );
    expect((await store.get('dst-spring'))?.lastTaskId).toBe(
      `dst-spring-${Date.parse('2026-03-29T01:30:00Z')}`,
    );
    await beat.schedules.delete('dst-spring');
    await h.stop(beat);
  });

  it('runs once on the day 02:30 happens twice, even when the run is taken late or beat restarts', async () => {
    clock = fakeClock(Date.parse('2026-10-25T00:29:59Z'));
    const beat = await h.start([]);
    const created = await beat.schedules.create({
      id: 'dst-autumn',
      task: tick.name,
      payload: { label: 'autumn' },
      cron: '30 2 * * *',
      timezone: 'Europe/Berlin',
    });
    expect(created.nextRunAt?.toISOString()).toBe('2026-10-25T00:30:00.000Z');

    // Beat was stalled: the first 02:30 (CEST) is handled 45 minutes late, at 02:15 CET, in the
    // repeated hour. It runs once (run_once) and the next run is tomorrow, not the second 02:30.
    const worker = h.tickWorker();
    // The spring test's run waits in the same queue; only this schedule's runs count here.
    const autumnRuns = () => worker.started.filter((taskId) => taskId.startsWith('dst-autumn-'));
    await worker.start();
    clock.set(Date.parse('2026-10-25T01:15:00Z'));
    await waitFor(() => (autumnRuns().length > 0 ? true : undefined), { what: 'the 02:30 run' });
    expect(autumnRuns()).toEqual(['dst-autumn-1792888200000']);
    await waitFor(
      async () => ((await nextRunOf('dst-autumn')) === '2026-10-26T01:30:00.000Z' ? true : undefined),
      { what: 'the next run to be tomorrow 02:30' },
    );

    // A beat restarted in the repeated hour, the schedule edited then: still tomorrow, no second run.
    await h.stop(beat);
    clock.set(Date.parse('2026-10-25T01:31:00Z'));
    const restarted = await h.start([]);
    const edited = await restarted.schedules.update('dst-autumn', {
      description: 'edited in the repeated hour',
    });
    expect(edited.nextRunAt?.toISOString()).toBe('2026-10-26T01:30:00.000Z');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(autumnRuns()).toHaveLength(1);
    await h.stop(restarted);
  });
});
