import { declareSchedule, defineTask, TaskClient, TaskRegistry } from '@foreman/core';
import { createTestRedis, type TestRedis } from '@foreman/core/testing';
import { schedules } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { Queue } from 'bullmq';
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
  declareSchedule({ id: 'report.hourly', task: report, payload: {}, everyMs: 3_600_000 }),
];

describe('ScheduleService', () => {
  let redis: TestRedis;
  let database: TestDatabase;
  let client: TaskClient;
  let service: ScheduleService;
  let queue: Queue;
  const schedulerIds = async (name = cleanup.queue) =>
    (await new Queue(name, { connection: redis.redis, prefix: redis.prefix }).getJobSchedulers()).map(
      (scheduler) => scheduler.key,
    );

  beforeAll(async () => {
    redis = await createTestRedis('schedules');
    database = await createTestDatabase('schedules');
    client = new TaskClient({
      registry: new TaskRegistry([cleanup, report]),
      connection: redis.redis,
      prefix: redis.prefix,
    });
    service = new ScheduleService({
      db: database.database.db,
      client,
      connection: redis.redis,
      prefix: redis.prefix,
    });
    queue = client.queue(cleanup.queue);
  });
  afterAll(async () => {
    await service.close();
    await client.close();
    await redis.cleanup();
    await database.drop();
  });

  it('seeds declared schedules, each with its next run', async () => {
    await service.reconcile(declared);
    const listed = await service.list();
    expect(listed.map((schedule) => [schedule.id, schedule.source, schedule.enabled])).toEqual([
      ['cleanup.daily', 'declared', true],
      ['report.hourly', 'declared', true],
    ]);
    const daily = listed[0]!;
    expect(daily.nextRunAt).toBeInstanceOf(Date);
    expect(daily.nextRunAt!.getTime()).toBeGreaterThan(Date.now());
    // 02:00 in Berlin is 00:00 or 01:00 UTC depending on the season.
    expect([0, 1]).toContain(daily.nextRunAt!.getUTCHours());
    expect(await schedulerIds()).toEqual(['cleanup.daily']);
  });

  it('keeps runtime edits when beat reconciles again, and follows untouched declarations', async () => {
    await service.update('cleanup.daily', { cron: '30 3 * * *', payload: { olderThanDays: 30 } });
    const changedDeclaration = [declared[0]!, { ...declared[1]!, everyMs: 7_200_000 }];
    await service.reconcile(changedDeclaration);
    const daily = await service.get('cleanup.daily');
    expect([daily.cron, daily.payload, daily.editedAt]).toEqual([
      '30 3 * * *',
      { olderThanDays: 30 },
      expect.any(Date),
    ]);
    const scheduler = await queue.getJobScheduler('cleanup.daily');
    expect(scheduler?.pattern).toBe('30 3 * * *');
    expect((await service.get('report.hourly')).everyMs).toBe(7_200_000);
  });

  it('pauses by removing the job scheduler, resumes by restoring it', async () => {
    const paused = await service.pause('cleanup.daily');
    expect([paused.enabled, paused.nextRunAt]).toEqual([false, null]);
    expect(await schedulerIds()).toEqual([]);
    // A paused declared schedule stays paused when beat starts again.
    await service.reconcile(declared);
    expect(await schedulerIds()).toEqual([]);
    const resumed = await service.resume('cleanup.daily');
    expect(resumed.nextRunAt).toBeInstanceOf(Date);
    expect(await schedulerIds()).toEqual(['cleanup.daily']);
  });

  it('creates, moves, runs now and deletes a user schedule', async () => {
    const created = await service.create({
      id: 'cleanup.often',
      task: cleanup.name,
      payload: { olderThanDays: 1 },
      everyMs: 60_000,
    });
    expect([created.source, created.nextRunAt instanceof Date]).toEqual(['user', true]);
    expect(await schedulerIds()).toEqual(expect.arrayContaining(['cleanup.often']));

    // Pointing it at a task of another queue moves its job scheduler there.
    await service.update('cleanup.often', { task: report.name, payload: {} });
    expect(await schedulerIds()).not.toContain('cleanup.often');
    expect(await schedulerIds(report.queue)).toContain('cleanup.often');

    const submitted = await service.runNow('cleanup.often');
    expect(submitted).toMatchObject({ name: report.name, queue: report.queue });
    expect((await client.queue(report.queue).getJob(submitted.taskId))?.data.payload).toEqual({});

    await service.delete('cleanup.often');
    expect(await schedulerIds(report.queue)).not.toContain('cleanup.often');
    await expect(service.get('cleanup.often')).rejects.toMatchObject({ code: 'SCHEDULE_NOT_FOUND' });
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
    await expect(
      service.create({ id: 'has:colon', task: report.name, everyMs: 60_000 }),
    ).rejects.toMatchObject({
      code: 'SCHEDULE_INVALID',
    });
    await expect(
      service.create({ id: 'report.hourly', task: report.name, everyMs: 60_000 }),
    ).rejects.toMatchObject({
      code: 'SCHEDULE_EXISTS',
    });
    await expect(service.update('cleanup.daily', { everyMs: 10 })).rejects.toMatchObject({
      code: 'SCHEDULE_TIMING_INVALID',
    });
    await expect(service.delete('cleanup.daily')).rejects.toMatchObject({ code: 'SCHEDULE_DECLARED' });
    expect(await database.database.db.select().from(schedules)).toEqual(before);
  });

  it('heals drift: a job scheduler lost from Redis comes back, a stray one goes', async () => {
    await queue.removeJobScheduler('cleanup.daily');
    await queue.upsertJobScheduler('stray', { every: 60_000 }, { name: cleanup.name, data: {} });
    expect(await service.sync()).toEqual({ applied: ['cleanup.daily'], removed: ['stray'] });
    expect(await service.sync()).toEqual({ applied: [], removed: [] });
  });
});
