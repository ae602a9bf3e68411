import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestRedis, type TestRedis, waitFor } from '@foreman/core/testing';
import { backups, deadLetters, eq, schedules } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { type AppProcess, startApp } from './processes.js';
import { type RunningSystem, startSystem } from './system.js';

interface ErrorBody {
  error: { code: string; message: string };
}

/**
 * Issue 14, items 2, 9 and 10 as an attacker sends them: a user key (bob) against system tasks,
 * another user's (alice's) data, schedules and cross-tenant aggregates, with real api, worker and
 * beat processes; alice's data is checked after each attack.
 */
describe('security: who may run what (authz)', () => {
  let testDb: TestDatabase;
  let redis: TestRedis;
  let system: RunningSystem;
  let beat: AppProcess;
  let dir: string;
  let alice: string;
  let bob: string;

  const call = (key: string, path: string, body?: unknown) =>
    fetch(`${system.baseUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const completed = (key: string, taskId: string) =>
    waitFor(
      async () => {
        const record = (await (await call(key, `/tasks/${taskId}`)).json()) as { status: string };
        return record.status === 'completed' ? record : undefined;
      },
      { timeoutMs: 30_000, what: `task ${taskId} to complete` },
    );
  const submitted = async (key: string, name: string, payload: unknown) => {
    const response = await call(key, `/tasks/${name}`, payload);
    expect(response.status).toBe(202);
    return ((await response.json()) as { taskId: string }).taskId;
  };
  const expectRefused = async (response: Response, status: number, code: string) => {
    expect([response.status, ((await response.json()) as ErrorBody).error.code]).toEqual([status, code]);
  };
  const backupsOf = (userId: string) =>
    testDb.database.db.select().from(backups).where(eq(backups.userId, userId));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'foreman-authz-'));
    await mkdir(join(dir, 'files', 'alice'), { recursive: true });
    testDb = await createTestDatabase('e2e_authz');
    redis = await createTestRedis('e2e-authz');
    const env = {
      FILE_ROOTS: join(dir, 'files'),
      BACKUP_DIR: join(dir, 'backups'),
      SCHEDULE_TICK_MS: '200',
    };
    system = await startSystem(
      { url: testDb.url, schema: testDb.schema },
      { redis, env, workers: ['maintenance-worker', 'file-worker'] },
    );
    beat = await startApp(
      'beat',
      {
        ...env,
        REDIS_URL: redis.url,
        QUEUE_PREFIX: redis.prefix,
        DATABASE_URL: testDb.url,
        DATABASE_SCHEMA: testDb.schema,
        HEALTH_PORT: '0',
      },
      'beat started',
    );
    const key = async (userId: string) =>
      (
        (await (
          await system.api('/keys', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ userId }),
          })
        ).json()) as { key: string }
      ).key;
    [alice, bob] = [await key('alice'), await key('bob')];
  });
  afterAll(async () => {
    await beat?.stop();
    await system?.stop();
    await testDb?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses bob the retention run that deleted every tenant's records; alice's stay", async () => {
    const alicesTask = await submitted(alice, 'maintenance.health_check', {});
    await completed(alice, alicesTask);
    await expectRefused(
      await call(bob, '/tasks/maintenance.enforce_retention_policy', { olderThanDays: 0.00000001 }),
      403,
      'TASK_FORBIDDEN',
    );
    // Hidden in a bulk after a harmless task: the whole request is refused.
    await expectRefused(
      await call(bob, '/tasks', {
        tasks: [
          { name: 'maintenance.health_check', payload: {} },
          { name: 'maintenance.enforce_retention_policy', payload: { olderThanDays: 0.00000001 } },
        ],
      }),
      403,
      'TASK_FORBIDDEN',
    );
    // An admin still may (with a harmless period), and it runs.
    await completed(
      system.adminKey,
      await submitted(system.adminKey, 'maintenance.enforce_retention_policy', { olderThanDays: 36_500 }),
    );
    expect((await call(alice, `/tasks/${alicesTask}`)).status).toBe(200);
  });

  it('refuses bob the clean-up that wiped the shared file roots; the file stays', async () => {
    const file = join(dir, 'files', 'alice', 'draft.tmp');
    await writeFile(file, 'alice was here');
    const old = new Date(Date.now() - 3 * 24 * 3_600_000);
    await utimes(file, old, old);
    await expectRefused(
      await call(bob, '/tasks/file.cleanup_temp_files', { patterns: ['*'], olderThanHours: 0.0001 }),
      403,
      'TASK_FORBIDDEN',
    );
    // A workflow and a schedule are no way round it.
    await expectRefused(
      await call(bob, '/workflows', {
        name: 'wipe',
        nodes: [{ key: 'wipe', task: 'file.cleanup_temp_files', payload: { patterns: ['*'] } }],
      }),
      403,
      'TASK_FORBIDDEN',
    );
    await expectRefused(
      await call(bob, '/schedules', {
        id: 'bob-wipe',
        task: 'file.cleanup_temp_files',
        payload: { patterns: ['*'] },
        everyMs: 3_600_000,
      }),
      403,
      'TASK_FORBIDDEN',
    );
    expect(existsSync(file)).toBe(true);
  });

  it("refuses bob the backup run that pruned alice's backups; hers stay, his own runs", async () => {
    for (let run = 0; run < 2; run++) {
      await completed(
        system.adminKey,
        await submitted(system.adminKey, 'file.backup_user_data', { userId: 'alice', keep: 5 }),
      );
    }
    expect((await backupsOf('alice')).length).toBe(2);
    await expectRefused(
      await call(bob, '/tasks/file.backup_user_data', { userId: 'alice', keep: 1 }),
      403,
      'TASK_FORBIDDEN',
    );
    await expectRefused(await call(bob, '/tasks/file.backup_user_data', { keep: 1 }), 403, 'TASK_FORBIDDEN');
    await completed(bob, await submitted(bob, 'file.backup_user_data', { userId: 'bob', keep: 1 }));
    expect((await backupsOf('alice')).length).toBe(2);
  });

  it("refuses bob's every-second schedule, and the replay of a system task's dead letter", async () => {
    await expectRefused(
      await call(bob, '/schedules', { id: 'bob-often', task: 'maintenance.health_check', everyMs: 1_000 }),
      400,
      'SCHEDULE_TOO_FREQUENT',
    );
    await testDb.database.db.insert(deadLetters).values({
      taskId: 'bob-dead-clean',
      name: 'maintenance.clean_queues',
      queue: 'maintenance',
      userId: 'bob',
      payload: { completedOlderThanHours: 0 },
      error: 'gave up',
      attempts: 1,
      failedAt: new Date(),
    });
    await expectRefused(await call(bob, '/dead-letters/bob-dead-clean/replay', {}), 403, 'TASK_FORBIDDEN');
  });

  it("has beat refuse a user's stored schedule of a system task, and fire an admin's", async () => {
    const alicesTask = await submitted(alice, 'maintenance.health_check', {});
    await completed(alice, alicesTask);
    // A row as an older version left it: bob's schedule of the retention run, due now.
    await testDb.database.db.insert(schedules).values({
      id: 'bob-retention',
      taskName: 'maintenance.enforce_retention_policy',
      queue: 'maintenance',
      payload: { olderThanDays: 0.00000001 },
      everyMs: 60_000,
      source: 'user',
      ownerUserId: 'bob',
      nextRunAt: new Date(Date.now() - 1_000),
    });
    const created = await call(system.adminKey, '/schedules', {
      id: 'admin-retention',
      task: 'maintenance.enforce_retention_policy',
      payload: { olderThanDays: 36_500 },
      everyMs: 1_000,
    });
    expect(created.status).toBe(201);
    const [refused, fired] = await waitFor(
      async () => {
        const rows = await testDb.database.db.select().from(schedules);
        const bobs = rows.find((row) => row.id === 'bob-retention');
        // Stored under the admin's tag: schedule ids are per user.
        const admins = rows.find((row) => row.id.startsWith('admin-retention~'));
        return bobs && bobs.skippedRuns > 0 && admins?.lastTaskId ? [bobs, admins] : undefined;
      },
      { timeoutMs: 20_000, what: 'beat to handle both schedules' },
    );
    expect(refused.lastTaskId).toBeNull();
    await completed(system.adminKey, fired.lastTaskId!);
    expect((await call(alice, `/tasks/${alicesTask}`)).status).toBe(200);
  });

  it('keeps cross-tenant aggregates from bob: queues and advisor need admin, summaries are his own', async () => {
    await expectRefused(await call(bob, '/queues'), 403, 'FORBIDDEN');
    await expectRefused(await call(bob, '/advisor'), 403, 'FORBIDDEN');
    const summary = (await (await call(bob, '/metrics/summary?windowMs=600000')).json()) as {
      tasks: Array<{ task: string }>;
    };
    // Bob ran only his backup; alice's health checks and the admin's runs are not his to see.
    expect(summary.tasks.map((task) => task.task)).toEqual(['file.backup_user_data']);
    expect((await call(system.adminKey, '/queues')).status).toBe(200);
  });
});
