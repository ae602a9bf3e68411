import { createRegistry } from '@foreman/contracts';
import { type Runtime, TaskClient, taskEventsStream, userSubmitter } from '@foreman/core';
import { createTestRuntime } from '@foreman/core/testing';
import { eq, inArray, tasks } from '@foreman/db';
import { UnrecoverableError, Worker } from 'bullmq';
import { startTestApi, type TestApi } from './test-api.js';

/**
 * Issue 15, item 1: a task is found at once on every replica, before its row reaches the
 * database, and a bulk with a bad item leaves nothing in Redis.
 */
describe('read your writes', () => {
  let api: TestApi;
  /** Submits without events: its tasks get no row until a worker runs them (none does here). */
  let bare: TaskClient;
  /** Another process's runtime with a fair email queue. */
  let fairRuntime: Runtime;
  let fair: TaskClient;
  const fetchUrl = { url: 'https://example.org/' };
  const alice = { userId: 'alice', submitter: userSubmitter('alice', false) };

  beforeAll(async () => {
    api = await startTestApi('api_read_your_writes');
    const connection = api.redis.redis;
    const prefix = api.redis.prefix;
    bare = new TaskClient({ registry: createRegistry(), connection, prefix });
    fairRuntime = await createTestRuntime({
      redis: api.redis,
      database: api.testDb,
      registry: createRegistry(),
      env: { FAIRNESS: JSON.stringify({ email: { readyWindow: 1 } }) },
      project: false,
    });
    fair = fairRuntime.client;
  });
  afterAll(async () => {
    await bare.close();
    await fairRuntime.stop();
    await api.close();
  });

  const stored = (id: string) => api.testDb.database.db.$count(tasks, eq(tasks.id, id));
  const read = async (app: ReturnType<TestApi['replica']>, key: string, id: string) => {
    const response = await app.request(`/tasks/${id}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('finds a task with no row yet on every replica, for its user and admins only', async () => {
    const { taskId } = await bare.submit('sync.fetch_url', fetchUrl, { ...alice, delayMs: 60_000 });
    expect(await stored(taskId)).toBe(0);
    for (const app of [api.app, api.replica()]) {
      expect(await read(app, api.aliceKey, taskId)).toMatchObject({
        status: 200,
        body: { id: taskId, name: 'sync.fetch_url', queue: 'sync', userId: 'alice', status: 'pending' },
      });
      expect((await read(app, api.adminKey, taskId)).status).toBe(200);
      expect(await read(app, api.bobKey, taskId)).toMatchObject({
        status: 404,
        body: { error: { code: 'TASK_NOT_FOUND' } },
      });
    }
    // Cancelling it works from the same read.
    const cancelled = await api.call(api.aliceKey, `/tasks/${taskId}/cancel`, { method: 'POST' });
    expect(await cancelled.json()).toMatchObject({ status: 'cancelled' });
  });

  it('answers a failed job with its error, and its stack trace for admins only', async () => {
    const { taskId } = await bare.submit('sync.fetch_url', fetchUrl, alice);
    const worker = new Worker('sync', null, { connection: api.redis.redis, prefix: api.redis.prefix });
    try {
      const job = await worker.getNextJob('token');
      expect(job?.id).toBe(taskId);
      // Unrecoverable: it fails for good at once, as a last attempt does.
      await job!.moveToFailed(new UnrecoverableError('unreachable'), 'token', false);
    } finally {
      await worker.close();
    }
    expect((await read(api.app, api.aliceKey, taskId)).body).toMatchObject({
      status: 'failed',
      error: 'unreachable',
      stackTrace: null,
    });
    expect((await read(api.app, api.adminKey, taskId)).body.stackTrace).toMatch(/\n\s+at /);
  });

  it("answers the job's state: running while a worker holds it, then completed with its result", async () => {
    const { taskId } = await bare.submit('sync.fetch_url', fetchUrl, alice);
    const worker = new Worker('sync', null, { connection: api.redis.redis, prefix: api.redis.prefix });
    try {
      const job = await worker.getNextJob('token');
      expect(job?.id).toBe(taskId);
      await job!.updateProgress({ percent: 40, message: 'halfway there' });
      expect((await read(api.app, api.aliceKey, taskId)).body).toMatchObject({
        status: 'running',
        attempts: 1,
        progress: 40,
        progressMessage: 'halfway there',
      });
      await job!.moveToCompleted({ status: 200, etag: 'a\u0000b' }, 'token', false);
      expect((await read(api.replica(), api.aliceKey, taskId)).body).toMatchObject({
        status: 'completed',
        // Without the NUL, as the stored record will have it.
        result: { status: 200, etag: 'ab' },
      });
    } finally {
      await worker.close();
    }
    expect(await stored(taskId)).toBe(0);
  });

  it('answers cancelled for a running task whose cancel failed its job', async () => {
    const { taskId } = await bare.submit('sync.fetch_url', fetchUrl, alice);
    const worker = new Worker('sync', null, { connection: api.redis.redis, prefix: api.redis.prefix });
    try {
      const job = await worker.getNextJob('token');
      expect(job?.id).toBe(taskId);
      const cancel = await api.call(api.aliceKey, `/tasks/${taskId}/cancel`, { method: 'POST' });
      expect(await cancel.json()).toMatchObject({ status: 'cancelling' });
      // What a worker does when it aborts a cancelled task.
      await job!.moveToFailed(new UnrecoverableError('Task "sync.fetch_url" was cancelled'), 'token', false);
    } finally {
      await worker.close();
    }
    expect((await read(api.replica(), api.aliceKey, taskId)).body).toMatchObject({ status: 'cancelled' });
    expect(await stored(taskId)).toBe(0);
  });

  it('answers the queue when a stored row trails it, so a task never reads as going back', async () => {
    const { taskId } = await bare.submit('sync.fetch_url', fetchUrl, alice);
    const worker = new Worker('sync', null, { connection: api.redis.redis, prefix: api.redis.prefix });
    try {
      const job = await worker.getNextJob('token');
      expect(job?.id).toBe(taskId);
      // The running row landed; the failure after it has not been projected yet.
      await api.testDb.database.db.insert(tasks).values({
        id: taskId,
        name: 'sync.fetch_url',
        queue: 'sync',
        userId: 'alice',
        status: 'running',
        attempts: 1,
        createdAt: new Date(),
        version: 11,
      });
      expect((await read(api.app, api.adminKey, taskId)).body).toMatchObject({ status: 'running' });
      await job!.moveToFailed(new UnrecoverableError('unreachable'), 'token', false);
    } finally {
      await worker.close();
    }
    expect((await read(api.app, api.adminKey, taskId)).body).toMatchObject({
      status: 'failed',
      error: 'unreachable',
      stackTrace: expect.stringMatching(/\n\s+at /),
    });
  });

  it('finds a task still waiting for fair admission', async () => {
    const { taskId } = await fair.submit(
      'email.send_email',
      { to: ['someone@example.org'], subject: 'hi', text: 'hi' },
      alice,
    );
    expect(await fair.queue('email').getJob(taskId)).toBeUndefined();
    const replica = api.replica({ client: fair });
    expect(await read(replica, api.aliceKey, taskId)).toMatchObject({
      status: 200,
      body: { id: taskId, queue: 'email', userId: 'alice', status: 'pending' },
    });
    expect((await read(replica, api.bobKey, taskId)).status).toBe(404);
  });

  it('reads a task submitted over the api back at once on another replica', async () => {
    const replica = api.replica();
    for (let i = 0; i < 10; i += 1) {
      const submitted = await api.call(api.aliceKey, '/tasks/sync.fetch_url', {
        method: 'POST',
        body: JSON.stringify(fetchUrl),
      });
      const { taskId } = (await submitted.json()) as { taskId: string };
      expect((await read(replica, api.aliceKey, taskId)).body).toMatchObject({
        id: taskId,
        status: 'pending',
      });
    }
  });

  it('enqueues nothing and appends no row for a bulk with one invalid item', async () => {
    const stream = taskEventsStream(api.redis.prefix);
    const entries = await api.redis.redis.xlen(stream);
    const jobs = await api.client.queue('sync').getJobCountByTypes('waiting', 'delayed', 'prioritized');
    const response = await api.call(api.aliceKey, '/tasks', {
      method: 'POST',
      body: JSON.stringify({
        tasks: [
          { name: 'sync.fetch_url', payload: fetchUrl },
          { name: 'sync.fetch_url', payload: { url: 'not a url' } },
          { name: 'sync.fetch_url', payload: fetchUrl },
        ],
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { details: [{ path: '1.url' }] } });
    expect(await api.client.queue('sync').getJobCountByTypes('waiting', 'delayed', 'prioritized')).toBe(jobs);
    expect(await api.redis.redis.xlen(stream)).toBe(entries);
  });

  // Last: it stops the projector.
  it('lists tasks whose rows have not landed, filtered and paged as the table is', async () => {
    await api.projector.close();
    const submit = async (key: string) => {
      const response = await api.call(key, '/tasks/sync.fetch_url', {
        method: 'POST',
        body: JSON.stringify(fetchUrl),
      });
      return ((await response.json()) as { taskId: string }).taskId;
    };
    const older = await submit(api.aliceKey);
    // Created in a later millisecond: the pages' order is by creation time.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const newer = await submit(api.aliceKey);
    const bobs = await submit(api.bobKey);
    expect(await api.testDb.database.db.$count(tasks, inArray(tasks.id, [older, newer, bobs]))).toBe(0);
    const replica = api.replica();
    const list = async (key: string, query: string) => {
      const response = await replica.request(`/tasks${query}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(response.status).toBe(200);
      return (await response.json()) as {
        tasks: Array<{ id: string; status: string }>;
        nextCursor: string | null;
      };
    };
    const ids = (page: { tasks: Array<{ id: string }> }) => page.tasks.map((task) => task.id);

    const alices = await list(api.aliceKey, '?limit=200');
    expect(ids(alices)).toEqual(expect.arrayContaining([older, newer]));
    expect(ids(alices)).not.toContain(bobs);
    expect(alices.tasks.find((task) => task.id === newer)).toMatchObject({ status: 'pending' });
    expect(ids(await list(api.adminKey, '?limit=200'))).toEqual(expect.arrayContaining([older, newer, bobs]));
    expect(ids(await list(api.aliceKey, '?status=completed&limit=200'))).not.toContain(newer);

    const first = await list(api.aliceKey, '?queue=sync&limit=1');
    expect(ids(first)).toEqual([newer]);
    const second = await list(api.aliceKey, `?queue=sync&limit=1&cursor=${first.nextCursor}`);
    expect(ids(second)).toEqual([older]);
  });
});
