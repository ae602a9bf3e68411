import { randomBytes } from 'node:crypto';
import { createTestRedis, freePort, type TestRedis, waitFor } from '@foreman/core/testing';
import { tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { Queue } from 'bullmq';
import { type AppProcess, startApp } from './processes.js';

/**
 * Issue 15, item 1, with real api processes and no worker: a submit is in Redis (jobs and their
 * pending rows) when it answers, a bulk is all or nothing even when the api is SIGKILLed in the
 * middle, and any replica reads a task back at once.
 */
describe('queue first: submits', () => {
  let testDb: TestDatabase;
  let redis: TestRedis;
  let queue: Queue;
  const adminKey = `fm_e2e_${randomBytes(24).toString('base64url')}`;
  const apps: AppProcess[] = [];

  const startApi = async () => {
    const port = await freePort();
    const app = await startApp(
      'api',
      {
        REDIS_URL: redis.url,
        QUEUE_PREFIX: redis.prefix,
        DATABASE_URL: testDb.url,
        DATABASE_SCHEMA: testDb.schema,
        PORT: String(port),
        ADMIN_API_KEY: adminKey,
        // The api projects here, standing for beat: no other process runs.
        RECORD_PROJECTOR: 'true',
        RATE_LIMIT_PER_MINUTE: '100000',
        ALERT_EVALUATION: 'off',
      },
      'api listening',
    );
    apps.push(app);
    return { app, baseUrl: `http://127.0.0.1:${port}` };
  };
  const post = (baseUrl: string, path: string, body: unknown) =>
    fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const bulk = { tasks: Array.from({ length: 1_000 }, () => ({ name: 'maintenance.health_check' })) };
  const queued = () => queue.getJobCountByTypes('waiting', 'prioritized', 'delayed', 'active');
  const recorded = () => testDb.database.db.$count(tasks);

  beforeAll(async () => {
    testDb = await createTestDatabase('e2e_queue_first');
    redis = await createTestRedis('e2e-queue-first');
    queue = new Queue('maintenance', { connection: redis.redis, prefix: redis.prefix });
  });
  afterAll(async () => {
    // A SIGKILLed app has no exit left to wait for.
    await Promise.all(apps.filter((app) => app.child.signalCode === null).map((app) => app.stop()));
    await queue?.close();
    await redis?.cleanup();
    await testDb?.drop();
  });

  it('leaves all 1,000 tasks of a bulk or none when the api is SIGKILLed during it', async () => {
    // One bulk that completes sets the scale of the moments to kill at.
    const first = await startApi();
    let started = Date.now();
    expect((await post(first.baseUrl, '/tasks', bulk)).status).toBe(202);
    const tookMs = Date.now() - started;
    expect(await queued()).toBe(1_000);
    first.app.child.kill('SIGKILL');

    const outcomes: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      const before = await queued();
      const { app, baseUrl } = await startApi();
      const exited = new Promise((resolve) => app.child.once('exit', resolve));
      started = Date.now();
      const answer = post(baseUrl, '/tasks', bulk).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * tookMs * 1.2));
      app.child.kill('SIGKILL');
      await Promise.all([answer, exited]);
      const added = (await queued()) - before;
      outcomes.push(added);
      expect([0, 1_000]).toContain(added);
    }
    console.log(`bulk took ${tookMs} ms; kills at random moments left ${outcomes.join(', ')} tasks`);

    // Every task that is queued is recorded: the rows were in Redis with the jobs. Rows a killed
    // api's projector had read are taken over once they are 30 s unacknowledged.
    await startApi();
    const total = await queued();
    await waitFor(async () => ((await recorded()) === total ? true : undefined), {
      timeoutMs: 90_000,
      what: `${total} records`,
    });
  }, 180_000);

  it('reads a task back at once on the api that took it and on another replica', async () => {
    const [one, two] = await Promise.all([startApi(), startApi()]);
    for (let i = 0; i < 20; i += 1) {
      const response = await post(one.baseUrl, '/tasks/maintenance.health_check', {});
      expect(response.status).toBe(202);
      const { taskId } = (await response.json()) as { taskId: string };
      for (const baseUrl of [two.baseUrl, one.baseUrl]) {
        const read = await fetch(`${baseUrl}/tasks/${taskId}`, {
          headers: { authorization: `Bearer ${adminKey}` },
        });
        expect(read.status).toBe(200);
        expect(await read.json()).toMatchObject({ id: taskId, status: 'pending' });
      }
    }
  }, 120_000);
});
