import { maintenance } from '@foreman/contracts';
import { declareSchedule, SYSTEM_SUBMITTER } from '@foreman/core';
import { runTaskId, ScheduleService, scheduleKey } from '@foreman/schedules';
import { startTestApi, type TestApi } from './test-api.js';

describe('schedules api', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('api_schedules');
  });
  afterAll(() => api.close());

  const admin = (path: string, init: RequestInit = {}) => api.call(api.adminKey, path, init);

  it('creates, lists with next run, pauses, resumes, runs now and deletes a schedule', async () => {
    const created = await admin('/schedules', {
      method: 'POST',
      body: JSON.stringify({
        id: 'nightly-check',
        task: 'maintenance.health_check',
        cron: '0 3 * * *',
        timezone: 'Europe/Paris',
      }),
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      id: 'nightly-check',
      enabled: true,
      ownerUserId: 'admin',
      overlapPolicy: 'skip',
      misfirePolicy: 'run_once',
      misfireCap: 10,
      nextRunAt: expect.any(String),
      lastRunAt: null,
      skippedRuns: 0,
    });
    const duplicate = await admin('/schedules', {
      method: 'POST',
      body: JSON.stringify({ id: 'nightly-check', task: 'maintenance.health_check', everyMs: 60_000 }),
    });
    expect(duplicate.status).toBe(409);
    const invalid = await admin('/schedules', {
      method: 'POST',
      body: JSON.stringify({ id: 'bad', task: 'maintenance.health_check', cron: 'not a cron' }),
    });
    expect(invalid.status).toBe(400);

    const paused = await admin('/schedules/nightly-check/pause', { method: 'POST' });
    expect(await paused.json()).toMatchObject({ enabled: false, nextRunAt: null });
    const resumed = await admin('/schedules/nightly-check/resume', { method: 'POST' });
    expect(await resumed.json()).toMatchObject({ enabled: true, nextRunAt: expect.any(String) });
    const changed = await admin('/schedules/nightly-check', {
      method: 'PATCH',
      body: JSON.stringify({
        everyMs: 3_600_000,
        cron: null,
        overlapPolicy: 'queue_one',
        misfirePolicy: 'run_all',
        misfireCap: 5,
      }),
    });
    expect(await changed.json()).toMatchObject({
      everyMs: 3_600_000,
      cron: null,
      overlapPolicy: 'queue_one',
      misfirePolicy: 'run_all',
      misfireCap: 5,
    });
    const badPolicy = await admin('/schedules/nightly-check', {
      method: 'PATCH',
      body: JSON.stringify({ overlapPolicy: 'sometimes' }),
    });
    expect(badPolicy.status).toBe(400);

    const run = await admin('/schedules/nightly-check/run', { method: 'POST' });
    expect(run.status).toBe(202);
    const { taskId } = (await run.json()) as { taskId: string };
    expect(await api.client.queue('maintenance').getJob(taskId)).toBeDefined();

    const list = (await (await admin('/schedules')).json()) as { schedules: Array<{ id: string }> };
    expect(list.schedules.map((schedule) => schedule.id)).toContain('nightly-check');
    expect((await admin('/schedules/nightly-check', { method: 'DELETE' })).status).toBe(200);
    expect((await admin('/schedules/nightly-check')).status).toBe(404);
  });

  it("keeps each user to their own schedules; another user's ids answer 404; admins see all", async () => {
    const alice = (path: string, init: RequestInit = {}) => api.call(api.aliceKey, path, init);
    const bob = (path: string, init: RequestInit = {}) => api.call(api.bobKey, path, init);
    const created = await alice('/schedules', {
      method: 'POST',
      body: JSON.stringify({ id: 'alice-check', task: 'maintenance.health_check', everyMs: 60_000 }),
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ ownerUserId: 'alice', source: 'user' });
    await admin('/schedules?userId=bob', {
      method: 'POST',
      body: JSON.stringify({ id: 'bob-check', task: 'maintenance.health_check', everyMs: 60_000 }),
    });

    const ids = async (response: Response) =>
      ((await response.json()) as { schedules: Array<{ id: string }> }).schedules.map((s) => s.id);
    expect(await ids(await alice('/schedules'))).toEqual(['alice-check']);
    expect(await ids(await bob('/schedules'))).toEqual(['bob-check']);
    expect(await ids(await admin('/schedules'))).toEqual(
      expect.arrayContaining(['alice-check', 'bob-check']),
    );
    expect(await ids(await admin('/schedules?userId=alice'))).toEqual(['alice-check']);
    expect((await alice('/schedules?userId=bob')).status).toBe(403);

    for (const [method, path, body] of [
      ['GET', '/schedules/bob-check', undefined],
      ['PATCH', '/schedules/bob-check', JSON.stringify({ description: 'mine' })],
      ['POST', '/schedules/bob-check/pause', undefined],
      ['POST', '/schedules/bob-check/resume', undefined],
      ['POST', '/schedules/bob-check/run', undefined],
      ['DELETE', '/schedules/bob-check', undefined],
    ] as const) {
      const response = await alice(path, { method, body });
      expect([method, path, response.status]).toEqual([method, path, 404]);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('SCHEDULE_NOT_FOUND');
    }
    // Run now submits the owner's task.
    const run = await alice('/schedules/alice-check/run', { method: 'POST' });
    const { taskId } = (await run.json()) as { taskId: string };
    expect((await api.client.queue('maintenance').getJob(taskId))?.data.userId).toBe('alice');
    expect((await bob('/schedules/bob-check', { method: 'DELETE' })).status).toBe(200);
    expect((await admin('/schedules/alice-check', { method: 'DELETE' })).status).toBe(200);
  });

  it("keeps ids per user: another user's id is no conflict and says nothing of theirs", async () => {
    const body = JSON.stringify({ id: 'daily', task: 'maintenance.health_check', everyMs: 3_600_000 });
    const alice = await api.call(api.aliceKey, '/schedules', { method: 'POST', body });
    expect(alice.status).toBe(201);
    // Before, bob got 409 here: alice's "daily" existed.
    const bob = await api.call(api.bobKey, '/schedules', { method: 'POST', body });
    expect(bob.status).toBe(201);
    expect(await bob.json()).toMatchObject({ id: 'daily', ownerUserId: 'bob' });
    expect((await api.call(api.bobKey, '/schedules', { method: 'POST', body })).status).toBe(409);
    expect((await api.call(api.bobKey, '/schedules/daily/pause', { method: 'POST' })).status).toBe(200);
    expect(await (await api.call(api.aliceKey, '/schedules/daily')).json()).toMatchObject({
      ownerUserId: 'alice',
      enabled: true,
    });
    // Admin keys name the user when several have the id.
    expect((await admin('/schedules/daily')).status).toBe(400);
    expect(await (await admin('/schedules/daily?userId=bob')).json()).toMatchObject({ enabled: false });
    for (const [key, user] of [
      [api.aliceKey, 'alice'],
      [api.adminKey, 'bob'],
    ] as const) {
      const deleted = await api.call(key, `/schedules/daily?userId=${user}`, { method: 'DELETE' });
      expect(deleted.status).toBe(200);
    }
  });

  it("finds the runs of a user's schedule with the longest id (id, owner tag and occurrence)", async () => {
    const id = 's'.repeat(200);
    const body = JSON.stringify({ id, task: 'maintenance.health_check', everyMs: 3_600_000 });
    expect((await api.call(api.aliceKey, '/schedules', { method: 'POST', body })).status).toBe(201);
    // The task id beat gives a run of it: the stored id (with alice's tag) and the occurrence.
    const { taskId } = await api.client.submit(
      'maintenance.health_check',
      {},
      {
        taskId: runTaskId(scheduleKey(id, 'alice'), Date.now()),
        userId: 'alice',
        submitter: SYSTEM_SUBMITTER,
      },
    );
    expect(taskId.length).toBeGreaterThan(200);
    const record = await api.call(api.aliceKey, `/tasks/${taskId}`);
    expect([record.status, ((await record.json()) as { id?: string }).id]).toEqual([200, taskId]);
  });

  it('lets only admin keys change declared schedules, which belong to no user', async () => {
    await new ScheduleService({ db: api.testDb.database.db, client: api.client }).reconcile([
      declareSchedule({ id: 'declared-check', task: maintenance.healthCheck, payload: {}, everyMs: 300_000 }),
    ]);
    const patch = (key: string) =>
      api.call(key, '/schedules/declared-check', {
        method: 'PATCH',
        body: JSON.stringify({ overlapPolicy: 'allow' }),
      });
    expect((await patch(api.aliceKey)).status).toBe(404);
    expect((await api.call(api.aliceKey, '/schedules/declared-check/pause', { method: 'POST' })).status).toBe(
      404,
    );
    const changed = await patch(api.adminKey);
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({
      source: 'declared',
      ownerUserId: null,
      overlapPolicy: 'allow',
    });
    const deleted = await admin('/schedules/declared-check', { method: 'DELETE' });
    expect(deleted.status).toBe(409);
  });
});
