import { planTick, type TickInput } from './tick-plan.js';

const MINUTE = 60_000;
const T = 1_000 * MINUTE;
const base: TickInput = {
  timing: { everyMs: MINUTE },
  overlapPolicy: 'allow',
  misfirePolicy: 'run_once',
  misfireCap: 10,
  nextRunAt: T + MINUTE,
  queuedRunAt: null,
  running: false,
  now: T + MINUTE + 100,
  misfireGraceMs: 5_000,
};

describe('planTick', () => {
  it('starts a schedule seen without a next run from now, with nothing missed', () => {
    expect(planTick({ ...base, nextRunAt: null, now: T + 10 })).toEqual({
      fire: [],
      queuedRunAt: null,
      skipped: 0,
      nextRunAt: T + MINUTE,
    });
  });

  it('fires an on-time occurrence and moves to the next', () => {
    expect(planTick(base)).toEqual({
      fire: [T + MINUTE],
      queuedRunAt: null,
      skipped: 0,
      nextRunAt: T + 2 * MINUTE,
    });
    expect(planTick({ ...base, now: T + MINUTE - 1 }).fire).toEqual([]);
  });

  it.each([
    ['skip', {}, [], 4],
    ['run_once', {}, [T + 4 * MINUTE], 3],
    ['run_all', { misfireCap: 2 }, [T + 3 * MINUTE, T + 4 * MINUTE], 2],
    ['run_all', { misfireCap: 10 }, [T + MINUTE, T + 2 * MINUTE, T + 3 * MINUTE, T + 4 * MINUTE], 0],
  ] as const)('misfire %s %j', (misfirePolicy, extra, fire, skipped) => {
    const plan = planTick({ ...base, misfirePolicy, ...extra, now: T + 4 * MINUTE + 30_000 });
    expect(plan).toEqual({ fire, queuedRunAt: null, skipped, nextRunAt: T + 5 * MINUTE });
  });

  it('fast-forwards an outage longer than it enumerates', () => {
    const plan = planTick({
      ...base,
      timing: { everyMs: 1_000 },
      misfireGraceMs: 400,
      nextRunAt: 1_000,
      now: 10_000_000_500,
    });
    expect(plan.fire).toEqual([10_000_000_000]);
    expect(plan.nextRunAt).toBe(10_000_001_000);
    expect(plan.skipped).toBeGreaterThan(1_000);
  });

  it.each([
    ['skip', [], null, 1],
    ['queue_one', [], T + MINUTE, 0],
    ['allow', [T + MINUTE], null, 0],
  ] as const)('overlap %s while the previous run goes on', (overlapPolicy, fire, queuedRunAt, skipped) => {
    expect(planTick({ ...base, overlapPolicy, running: true })).toMatchObject({ fire, queuedRunAt, skipped });
  });

  it('queue_one keeps the newest held occurrence and runs it once the previous run ends', () => {
    const held = planTick({ ...base, overlapPolicy: 'queue_one', running: true, queuedRunAt: T });
    expect(held).toMatchObject({ fire: [], queuedRunAt: T + MINUTE, skipped: 1 });
    const freed = planTick({
      ...base,
      overlapPolicy: 'queue_one',
      queuedRunAt: T + MINUTE,
      now: T + MINUTE + 30_000,
      nextRunAt: T + 2 * MINUTE,
    });
    expect(freed).toMatchObject({
      fire: [T + MINUTE],
      queuedRunAt: null,
      skipped: 0,
      nextRunAt: T + 2 * MINUTE,
    });
  });
});
