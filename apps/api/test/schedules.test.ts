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
      nextRunAt: expect.any(String),
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
      body: JSON.stringify({ everyMs: 3_600_000, cron: null }),
    });
    expect(await changed.json()).toMatchObject({ everyMs: 3_600_000, cron: null });

    const run = await admin('/schedules/nightly-check/run', { method: 'POST' });
    expect(run.status).toBe(202);
    const { taskId } = (await run.json()) as { taskId: string };
    expect(await api.client.queue('maintenance').getJob(taskId)).toBeDefined();

    const list = (await (await admin('/schedules')).json()) as { schedules: Array<{ id: string }> };
    expect(list.schedules.map((schedule) => schedule.id)).toContain('nightly-check');
    expect((await admin('/schedules/nightly-check', { method: 'DELETE' })).status).toBe(200);
    expect((await admin('/schedules/nightly-check')).status).toBe(404);
  });

  it('is for admin keys only', async () => {
    const response = await api.call(api.aliceKey, '/schedules');
    expect(response.status).toBe(403);
  });
});
