import {
  defineTask,
  type Runtime,
  SubmitQuota,
  SYSTEM_SUBMITTER,
  type TaskClient,
  TaskRegistry,
  userSubmitter,
} from '@foreman/core';
import { createTestRedis, createTestRuntime, type TestRedis } from '@foreman/core/testing';
import { apiKeys, schedules } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { createLogger } from '@foreman/logger';
import { z } from 'zod';
import { ScheduleRunner } from '../src/schedule-runner.js';
import { ScheduleService } from '../src/schedule-service.js';

const purge = defineTask({
  name: 'limits_test.purge',
  queue: 'limits-test',
  payload: z.object({}),
  audience: 'system',
});
const ping = defineTask({ name: 'limits_test.ping', queue: 'limits-test', payload: z.object({}) });

const ada = { userId: 'ada', submitter: userSubmitter('ada', false) };
const root = { userId: 'root', submitter: userSubmitter('root', true) };

describe('limits and rights of user schedules', () => {
  let redis: TestRedis;
  let database: TestDatabase;
  let runtime: Runtime;
  let client: TaskClient;
  let service: ScheduleService;
  const rows = () => database.database.db.select().from(schedules);
  const queued = () => client.queue('limits-test').getJobCountByTypes('waiting', 'prioritized', 'delayed');

  beforeAll(async () => {
    redis = await createTestRedis('schedule-limits');
    database = await createTestDatabase('schedule-limits');
    runtime = await createTestRuntime({
      redis,
      database,
      registry: new TaskRegistry([purge, ping]),
      project: false,
    });
    client = runtime.client;
    service = new ScheduleService({
      db: database.database.db,
      client,
      limits: { maxPerUser: 2, minIntervalMs: 60_000 },
    });
  });
  afterAll(async () => {
    await runtime.stop();
    await redis.cleanup();
    await database.drop();
  });

  it('validates its limits at construction', () => {
    expect(
      () => new ScheduleService({ db: database.database.db, client, limits: { maxPerUser: 0 } }),
    ).toThrow('limits.maxPerUser');
  });

  it("refuses a user's schedule of a system task, at creation and on a change, and writes nothing", async () => {
    const before = await rows();
    await expect(
      service.create({ id: 'ada.purge', task: purge.name, everyMs: 3_600_000 }, ada),
    ).rejects.toMatchObject({ code: 'TASK_FORBIDDEN' });
    await service.create({ id: 'ada.ping', task: ping.name, everyMs: 3_600_000 }, ada);
    await expect(service.update('ada.ping', { task: purge.name }, ada)).rejects.toMatchObject({
      code: 'TASK_FORBIDDEN',
    });
    expect((await service.get('ada.ping')).taskName).toBe(ping.name);
    expect((await rows()).length).toBe(before.length + 1);
    // An admin may schedule it.
    await service.create({ id: 'root.purge', task: purge.name, everyMs: 3_600_000 }, root);
  });

  it('keeps a user to the minimum interval (intervals and crons) and the most schedules', async () => {
    for (const timing of [{ everyMs: 1_000 }, { cron: '* * * * * *' }, { cron: '0,30 * * * * *' }]) {
      await expect(
        service.create({ id: 'ada.often', task: ping.name, ...timing }, ada),
      ).rejects.toMatchObject({
        code: 'SCHEDULE_TOO_FREQUENT',
      });
    }
    await expect(service.update('ada.ping', { everyMs: 5_000 }, ada)).rejects.toMatchObject({
      code: 'SCHEDULE_TOO_FREQUENT',
    });
    await service.create({ id: 'ada.minutely', task: ping.name, cron: '* * * * *' }, ada);
    await expect(
      service.create({ id: 'ada.third', task: ping.name, everyMs: 3_600_000 }, ada),
    ).rejects.toMatchObject({ code: 'SCHEDULE_LIMIT_EXCEEDED', message: expect.stringContaining('(2)') });
    // Admins are exempt.
    await service.create({ id: 'root.often', task: ping.name, everyMs: 1_000 }, root);
    await service.create({ id: 'root.third', task: ping.name, everyMs: 1_000 }, root);
  });

  it("fires a user's schedule with the owner's current rights and within their submit quota", async () => {
    const db = database.database.db;
    // Rows as an older version (or a since-demoted admin) left them: a user's system task, and an
    // every-second schedule of a user with a quota of one task per window.
    // The start of this minute: intervals are aligned to the epoch, so a time a second ago could
    // lie in the previous minute, and the schedules would owe two runs, not one.
    const due = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    await db.delete(schedules);
    await db.insert(schedules).values([
      {
        id: 'bob.purge',
        taskName: purge.name,
        queue: 'limits-test',
        payload: {},
        everyMs: 60_000,
        source: 'user',
        ownerUserId: 'bob',
        nextRunAt: due,
      },
      {
        id: 'carl.ping',
        taskName: ping.name,
        queue: 'limits-test',
        payload: {},
        everyMs: 60_000,
        source: 'user',
        ownerUserId: 'carl',
        nextRunAt: due,
        overlapPolicy: 'allow',
        misfirePolicy: 'run_all',
      },
      {
        id: 'sys.purge',
        taskName: purge.name,
        queue: 'limits-test',
        payload: {},
        everyMs: 60_000,
        source: 'declared',
        nextRunAt: due,
      },
      {
        id: 'dora.purge',
        taskName: purge.name,
        queue: 'limits-test',
        payload: {},
        everyMs: 60_000,
        source: 'user',
        ownerUserId: 'dora',
        nextRunAt: due,
      },
    ]);
    await db
      .insert(apiKeys)
      .values({ id: 'k-dora', keyHash: 'h-dora', prefix: 'p', userId: 'dora', admin: true });
    const quota = new SubmitQuota({ redis: redis.redis, prefix: redis.prefix, limit: 1, windowMs: 60_000 });
    await quota.take('carl', 1);
    const runner = new ScheduleRunner({
      db,
      client,
      connection: redis.redis,
      prefix: redis.prefix,
      logger: createLogger('test', { level: 'silent' }),
      quota,
    });
    const before = await queued();
    const ticks = await runner.tick();
    const fired = Object.fromEntries((ticks ?? []).map((tick) => [tick.id, tick.fired.length]));
    expect(fired).toEqual({ 'bob.purge': 0, 'carl.ping': 0, 'dora.purge': 1, 'sys.purge': 1 });
    expect(await queued()).toBe(before + 2);
    const skipped = Object.fromEntries((await rows()).map((row) => [row.id, row.skippedRuns]));
    expect(skipped).toMatchObject({ 'bob.purge': 1, 'carl.ping': 1 });
    // The run that fired was counted against its owner.
    await expect(quota.take('dora', 1)).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
  });

  it('runs a schedule now as whoever asks', async () => {
    await expect(
      service.runNow('bob.purge', { userId: 'bob', submitter: userSubmitter('bob', false) }),
    ).rejects.toMatchObject({
      code: 'TASK_FORBIDDEN',
    });
    await expect(service.runNow('bob.purge', { submitter: SYSTEM_SUBMITTER })).resolves.toMatchObject({
      name: purge.name,
    });
  });
});
