import { aiTasks, deadLetters, schedules, workflows } from '@foreman/db';
import { startTestApi, type TestApi } from './test-api.js';

interface ErrorBody {
  error: { code: string; message: string };
}

/** What a user key may submit: system tasks and other users' data answer 403 on every path. */
describe('task audiences and owners through the api', () => {
  let api: TestApi;
  let alicesAiTask: string;
  beforeAll(async () => {
    api = await startTestApi('api_authz', { scheduleLimits: { maxPerUser: 3, minIntervalMs: 60_000 } });
    const [row] = await api.testDb.database.db
      .insert(aiTasks)
      .values({ userId: 'alice', name: 'daily', prompt: 'hi' })
      .returning();
    alicesAiTask = row!.id;
  });
  afterAll(() => api.close());

  const post = (key: string, path: string, body: unknown) =>
    api.call(key, path, { method: 'POST', body: JSON.stringify(body) });
  const queued = async () => {
    let total = 0;
    for (const queue of api.client.registry.queues()) {
      const counts = await api.client.queue(queue).getJobCounts('waiting', 'prioritized', 'delayed');
      total += Object.values(counts).reduce((sum, n) => sum + n, 0);
    }
    return total;
  };
  const expectForbidden = async (response: Response, detail?: string) => {
    const body = (await response.json()) as ErrorBody;
    expect([response.status, body.error.code]).toEqual([403, 'TASK_FORBIDDEN']);
    if (detail) expect(body.error.message).toContain(detail);
  };

  it('refuses the three attacks of issue 14 to a user key, alone or hidden in a bulk, queuing nothing', async () => {
    const before = await queued();
    await expectForbidden(
      await post(api.bobKey, '/tasks/maintenance.enforce_retention_policy', { olderThanDays: 0.00000001 }),
      'system task',
    );
    await expectForbidden(
      await post(api.bobKey, '/tasks/file.cleanup_temp_files', { patterns: ['*'], olderThanHours: 0.0001 }),
    );
    await expectForbidden(
      await post(api.bobKey, '/tasks/file.backup_user_data', { userId: 'alice', keep: 1 }),
      "not the user's",
    );
    // Without a userId it backs up everyone: also refused.
    await expectForbidden(await post(api.bobKey, '/tasks/file.backup_user_data', { keep: 1 }));
    await expectForbidden(
      await post(api.bobKey, '/tasks', {
        tasks: [
          { name: 'maintenance.health_check', payload: {} },
          { name: 'file.cleanup_temp_files', payload: { patterns: ['*'] } },
        ],
      }),
    );
    expect(await queued()).toBe(before);
  });

  it("refuses another user's AI task, and answers a missing one the same way", async () => {
    const dueAt = new Date().toISOString();
    const foreign = await post(api.bobKey, '/tasks/ai.run_ai_task', { aiTaskId: alicesAiTask, dueAt });
    const missing = await post(api.bobKey, '/tasks/ai.run_ai_task', {
      aiTaskId: '00000000-0000-4000-8000-000000000000',
      dueAt,
    });
    const [foreignBody, missingBody] = [await foreign.json(), await missing.json()];
    expect([foreign.status, missing.status]).toEqual([403, 403]);
    expect(missingBody).toEqual(foreignBody);
    expect(
      (await post(api.aliceKey, '/tasks/ai.run_ai_task', { aiTaskId: alicesAiTask, dueAt })).status,
    ).toBe(202);
  });

  it('lets admin keys run system tasks and act on any user’s data', async () => {
    expect((await post(api.adminKey, '/tasks/maintenance.enforce_retention_policy', {})).status).toBe(202);
    expect((await post(api.adminKey, '/tasks/file.backup_user_data', { userId: 'alice' })).status).toBe(202);
    expect((await post(api.bobKey, '/tasks/file.backup_user_data', { userId: 'bob' })).status).toBe(202);
  });

  it('refuses a workflow with a system node, storing nothing', async () => {
    const response = await post(api.bobKey, '/workflows', {
      name: 'sneaky',
      nodes: [
        { key: 'check', task: 'maintenance.health_check' },
        { key: 'wipe', task: 'maintenance.clean_queues', dependsOn: ['check'] },
      ],
    });
    await expectForbidden(response);
    expect(await api.testDb.database.db.select().from(workflows)).toEqual([]);
  });

  it('refuses a user schedule of a system task, and keeps users to the schedule limits', async () => {
    await expectForbidden(
      await post(api.bobKey, '/schedules', {
        id: 'bob-wipe',
        task: 'maintenance.enforce_retention_policy',
        payload: { olderThanDays: 0.00000001 },
        everyMs: 3_600_000,
      }),
    );
    const often = await post(api.bobKey, '/schedules', {
      id: 'bob-often',
      task: 'maintenance.health_check',
      everyMs: 1_000,
    });
    expect([often.status, ((await often.json()) as ErrorBody).error.code]).toEqual([
      400,
      'SCHEDULE_TOO_FREQUENT',
    ]);
    for (const id of ['bob-1', 'bob-2', 'bob-3']) {
      const created = await post(api.bobKey, '/schedules', {
        id,
        task: 'maintenance.health_check',
        everyMs: 3_600_000,
      });
      expect(created.status).toBe(201);
    }
    const fourth = await post(api.bobKey, '/schedules', {
      id: 'bob-4',
      task: 'maintenance.health_check',
      everyMs: 3_600_000,
    });
    expect([fourth.status, ((await fourth.json()) as ErrorBody).error.code]).toEqual([
      403,
      'SCHEDULE_LIMIT_EXCEEDED',
    ]);
    const bobs = await api.testDb.database.db.select().from(schedules);
    // Stored under the owner's tag (ids are per user); the ids as given are bob's three.
    expect(bobs.map((row) => row.id.split('~')[0]).sort()).toEqual(['bob-1', 'bob-2', 'bob-3']);
    // Admins are exempt.
    expect(
      (
        await post(api.adminKey, '/schedules', {
          id: 'admin-wipe',
          task: 'maintenance.enforce_retention_policy',
          everyMs: 1_000,
        })
      ).status,
    ).toBe(201);
  });

  it('refuses a replay of a system task to a user, and keeps the dead letter replayable', async () => {
    await api.testDb.database.db.insert(deadLetters).values({
      taskId: 'bob-dead-purge',
      name: 'maintenance.clean_queues',
      queue: 'maintenance',
      userId: 'bob',
      payload: {},
      error: 'boom',
      attempts: 1,
      failedAt: new Date(),
    });
    await expectForbidden(
      await api.call(api.bobKey, '/dead-letters/bob-dead-purge/replay', { method: 'POST' }),
    );
    const bulk = await post(api.bobKey, '/dead-letters/replay', {});
    expect(await bulk.json()).toMatchObject({ replayed: [], failed: [{ taskId: 'bob-dead-purge' }] });
    expect(
      (await api.call(api.adminKey, '/dead-letters/bob-dead-purge/replay', { method: 'POST' })).status,
    ).toBe(202);
  });

  it('shows each task type’s audience', async () => {
    const { taskTypes } = (await (await api.call(api.bobKey, '/task-types')).json()) as {
      taskTypes: Array<{ name: string; audience: string }>;
    };
    const audience = Object.fromEntries(taskTypes.map((type) => [type.name, type.audience]));
    expect(audience).toMatchObject({
      'maintenance.enforce_retention_policy': 'system',
      'file.backup_user_data': 'user',
    });
  });
});
