import { waitFor } from '@foreman/core/testing';
import { beatHarness, everySecond, intervalSecond, type TickWorker } from './fixtures.js';

/** Occurrence time of a scheduled run, from its task id `<schedule id>-<millis>`. */
const occurrence = (taskId: string) => Number(taskId.slice(taskId.lastIndexOf('-') + 1));

describe('beat fires each occurrence once', () => {
  let h: Awaited<ReturnType<typeof beatHarness>>;
  let worker: TickWorker;

  beforeAll(async () => {
    h = await beatHarness('beat_dup');
    worker = h.tickWorker();
  });
  afterAll(() => h.close());

  it('with two beats running at once and one of them restarted across ticks', async () => {
    const [first] = await Promise.all([h.start(), h.start()]);
    await worker.start();
    const { started } = worker;
    const fired = (id: string) => started.filter((taskId) => taskId.startsWith(`${id}-`));
    await waitFor(() => (fired(everySecond.id).length >= 3 ? true : undefined), {
      timeoutMs: 20_000,
      what: 'three cron occurrences',
    });
    // Restart one beat while the other keeps running: it re-seeds and ticks again.
    await h.stop(first!);
    const before = fired(everySecond.id).length;
    await h.start();
    await waitFor(() => (fired(everySecond.id).length >= before + 3 ? true : undefined), {
      timeoutMs: 20_000,
      what: 'three more cron occurrences after the restart',
    });

    expect(new Set(started).size).toBe(started.length);
    // Cron occurrences fall on whole seconds.
    for (const time of fired(everySecond.id).map(occurrence)) expect(time % 1_000).toBe(0);
    for (const schedule of [everySecond, intervalSecond]) {
      const times = fired(schedule.id)
        .map(occurrence)
        .sort((a, b) => a - b);
      expect(times.length).toBeGreaterThanOrEqual(3);
      // Two beats enqueuing the same occurrence would leave two fires less than a second apart.
      for (let i = 1; i < times.length; i += 1)
        expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1_000);
    }
  });
});
