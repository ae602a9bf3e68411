import { declareSchedule, defineTask, type Runtime, type TaskClient, TaskRegistry } from '@foreman/core';
import { createTestRedis, createTestRuntime, type TestRedis } from '@foreman/core/testing';
import { schedules } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { z } from 'zod';
import { ScheduleService } from '../src/schedule-service.js';

const cleanup = defineTask({
  name: 'sched_test.cleanup',
  queue: 'sched-test',
  payload: z.object({ olderThanDays: z.number().int().positive() }),
});
const report = defineTask({ name: 'sched_test.report', queue: 'sched-report', payload: z.object({}) });

const declared = [
  declareSchedule({
    id: 'cleanup.daily',
    task: cleanup,
    payload: { olderThanDays: 7 },
    cron: '0 2 * * *',
    timezone: 'Europe/Berlin',
  }),
  declareSchedule({
    id: 'report.hourly',
    task: report,
    payload: {},
    everyMs: 3_600_000,
    overlapPolicy: 'queue_one',
    misfirePolicy: 'run_all',
    misfireCap: 3,
  }),
];

describe('ScheduleService', () => {
  let redis: TestRedis;
  let database: TestDatabase;
  let runtime: Runtime;
  let client: TaskClient;
  let service: ScheduleService;

  beforeAll(async () => {
    redis = await createTestRedis('schedules');
    database = await createTestDatabase('schedules');
    runtime = await createTestRuntime({
      redis,
      database,
      registry: new TaskRegistry([cleanup, report]),
      project: false,
    });
    client = runtime.client;
    service = new ScheduleService({ db: database.database.db, client });
  });
  afterAll(async () => {
    await runtime.stop();
    await redis.cleanup();
    await database.drop();
  });

  it('seeds declared schedules with their policies (defaults when none) and next run', async () => {
    await service.reconcile(declared);
    const listed = await service.list();
    expect(
      listed.map((s) => [
        s.id,
        s.source,
        s.enabled,
        s.ownerUserId,
        s.overlapPolicy,
        s.misfirePolicy,
        s.misfireCap,
      ]),
    ).toEqual([
      ['cleanup.daily', 'declared', true, null, 'skip', 'run_once', 10],
      ['report.hourly', 'declared', true, null, 'queue_one', 'run_all', 3],
    ]);
    const daily = listed[0]!;
    expect(daily.nextRunAt!.getTime()).toBeGreaterThan(Date.now());
    // 02:00 in Berlin is 00:00 or 01:00 UTC depending on the season.
    expect([0, 1]).toContain(daily.nextRunAt!.getUTCHours());
    expect(daily.lastRunAt).toBeNull();
    // Intervals fall on multiples of their length.
    expect(listed[1]!.nextRunAt!.getTime() % 3_600_000).toBe(0);
  });

  it('keeps the next run of an untouched declaration with the same timing, so missed runs stay missed', async () => {
    const past = new Date(Date.now() - 5 * 3_600_000);
    await database.database.db.update(schedules).set({ nextRunAt: past });
    await service.reconcile(declared);
    expect((await service.get('report.hourly')).nextRunAt).toEqual(past);
    // A declaration whose timing changed starts afresh from now.
    await service.reconcile([declared[0]!, { ...declared[1]!, everyMs: 7_200_000 }]);
    const hourly = await service.get('report.hourly');
    expect(hourly.everyMs).toBe(7_200_000);
    expect(hourly.nextRunAt!.getTime()).toBeGreaterThan(Date.now());
  });

  it('keeps runtime edits when beat reconciles again', async () => {
    await service.update('cleanup.daily', {
      cron: '30 3 * * *',
      payload: { olderThanDays: 30 },
      overlapPolicy: 'allow',
    });
    await service.reconcile(declared);
    const daily = await service.get('cleanup.daily');
    expect([daily.cron, daily.payload, daily.overlapPolicy, daily.editedAt]).toEqual([
      '30 3 * * *',
      { olderThanDays: 30 },
      'allow',
      expect.any(Date),
    ]);
    expect([2, 1]).toContain(daily.nextRunAt!.getUTCHours());
  });

  it('pauses (no next run) and resumes from now', async () => {
    const paused = await service.pause('cleanup.daily');
    expect([paused.enabled, paused.nextRunAt, paused.queuedRunAt]).toEqual([false, null, null]);
    // A paused declared schedule stays paused when beat starts again.
    await service.reconcile(declared);
    expect((await service.get('cleanup.daily')).enabled).toBe(false);
    const resumed = await service.resume('cleanup.daily');
    expect(resumed.nextRunAt!.getTime()).toBeGreaterThan(Date.now());
  });

  it("keeps users to their own schedules: another user's is not found, admins see all", async () => {
    const mine = await service.create(
      {
        id: 'ada.often',
        task: cleanup.name,
        payload: { olderThanDays: 1 },
        everyMs: 60_000,
        misfirePolicy: 'skip',
      },
      { userId: 'ada' },
    );
    expect([mine.source, mine.ownerUserId, mine.misfirePolicy, mine.overlapPolicy]).toEqual([
      'user',
      'ada',
      'skip',
      'skip',
    ]);
    await service.create({ id: 'bob.report', task: report.name, everyMs: 60_000 }, { userId: 'bob' });
    expect((await service.list({ userId: 'ada' })).map((s) => s.id)).toEqual(['ada.often']);
    expect((await service.list()).map((s) => s.id)).toEqual([
      'ada.often',
      'bob.report',
      'cleanup.daily',
      'report.hourly',
    ]);
    const bob = { userId: 'bob' };
    for (const attempt of [
      () => service.get('ada.often', bob),
      () => service.update('ada.often', { description: 'mine now' }, bob),
      () => service.pause('ada.often', bob),
      () => service.runNow('ada.often', bob),
      () => service.delete('ada.often', bob),
      // Declared schedules belong to no user: only an unscoped (admin) caller touches them.
      () => service.pause('cleanup.daily', bob),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ code: 'SCHEDULE_NOT_FOUND' });
    }
    // Run now submits as the owner.
    const submitted = await service.runNow('ada.often', { userId: 'ada' });
    expect((await client.queue(cleanup.queue).getJob(submitted.taskId))?.data.userId).toBe('ada');
    await service.delete('bob.report', bob);
    await expect(service.get('bob.report')).rejects.toMatchObject({ code: 'SCHEDULE_NOT_FOUND' });
  });

  it('keeps ids per user: the same id for two users, and no word of the other one', async () => {
    const alice = { userId: 'alice' };
    const bob = { userId: 'bob' };
    const nightly = { id: 'nightly', task: report.name, everyMs: 3_600_000 };
    await service.create({ ...nightly, description: 'mine' }, alice);
    // Before, bob got SCHEDULE_EXISTS here: he learnt alice had a "nightly".
    const bobs = await service.create(nightly, bob);
    expect([bobs.id, bobs.ownerUserId]).toEqual(['nightly', 'bob']);
    await expect(service.create(nightly, bob)).rejects.toMatchObject({ code: 'SCHEDULE_EXISTS' });
    expect(await service.get('nightly', alice)).toMatchObject({ id: 'nightly', description: 'mine' });
    await service.pause('nightly', bob);
    expect((await service.get('nightly', alice)).enabled).toBe(true);
    // A declared schedule's id is free for a user too; it stays the declared one for admins.
    await service.create({ ...nightly, id: 'report.hourly' }, alice);
    expect((await service.get('report.hourly')).source).toBe('declared');
    // Unscoped (admin keys): a user's schedule by its id, unless several users have one.
    await expect(service.get('nightly')).rejects.toMatchObject({ code: 'SCHEDULE_AMBIGUOUS' });
    await service.delete('nightly', bob);
    expect(await service.get('nightly')).toMatchObject({ ownerUserId: 'alice' });
    const { taskId } = await service.runNow('nightly', alice);
    expect(taskId).toBeDefined();
    await service.delete('nightly');
    await service.delete('report.hourly', alice);
    await expect(service.get('nightly', alice)).rejects.toMatchObject({ code: 'SCHEDULE_NOT_FOUND' });
  });

  it('refuses bad input with typed errors and writes nothing', async () => {
    const before = await database.database.db.select().from(schedules);
    await expect(
      service.create({ id: 'x', task: cleanup.name, payload: { olderThanDays: -1 }, everyMs: 60_000 }),
    ).rejects.toMatchObject({ code: 'PAYLOAD_INVALID' });
    await expect(service.create({ id: 'x', task: 'no.such_task', everyMs: 60_000 })).rejects.toMatchObject({
      code: 'TASK_UNKNOWN',
    });
    await expect(service.create({ id: 'x', task: report.name, cron: '61 * * * *' })).rejects.toMatchObject({
      code: 'SCHEDULE_TIMING_INVALID',
    });
    await expect(
      service.create({ id: 'x', task: report.name, cron: '0 8 * * *', timezone: 'Mars/Olympus' }),
    ).rejects.toMatchObject({ code: 'SCHEDULE_TIMING_INVALID' });
    await expect(
      service.create({ id: 'x', task: report.name, cron: '0 8 * * *', everyMs: 60_000 }),
    ).rejects.toMatchObject({ code: 'SCHEDULE_TIMING_INVALID' });
    for (const bad of [
      { id: 'has:colon', task: report.name, everyMs: 60_000 },
      { id: 'x', task: report.name, everyMs: 60_000, overlapPolicy: 'sometimes' },
      { id: 'x', task: report.name, everyMs: 60_000, misfirePolicy: 'run_all', misfireCap: 0 },
      // The CLI's path: no api in front to refuse what the database cannot store.
      { id: 'x', task: report.name, everyMs: 60_000, description: 'nightly\u0000' },
    ]) {
      await expect(service.create(bad as never)).rejects.toMatchObject({ code: 'SCHEDULE_INVALID' });
    }
    await expect(
      service.create({ id: 'report.hourly', task: report.name, everyMs: 60_000 }),
    ).rejects.toMatchObject({ code: 'SCHEDULE_EXISTS' });
    await expect(service.update('cleanup.daily', { everyMs: 10 })).rejects.toMatchObject({
      code: 'SCHEDULE_TIMING_INVALID',
    });
    await expect(service.delete('cleanup.daily')).rejects.toMatchObject({ code: 'SCHEDULE_DECLARED' });
    expect(await database.database.db.select().from(schedules)).toEqual(before);
  });
});
