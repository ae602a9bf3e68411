import { eq, tasks } from '@foreman/db';
import { ServiceMetrics } from '@foreman/metrics';
import { startTestApi, type TestApi } from './test-api.js';

/** Issue 14, item 1: one NUL character must never hold back other users' task records. */
describe('records after a NUL', () => {
  let api: TestApi;
  let metrics: ServiceMetrics;
  let app: ReturnType<TestApi['replica']>;
  beforeAll(async () => {
    api = await startTestApi('api_records');
    metrics = new ServiceMetrics({ service: 'api', records: api.records });
    app = api.replica({ metrics });
  });
  afterAll(async () => {
    await metrics.close();
    await api.close();
  });

  const call = (key: string, path: string, init: RequestInit = {}) =>
    app.request(path, {
      ...init,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    });

  it("refuses a NUL submit, quarantines a refused row, and keeps recording everyone else's tasks", async () => {
    const refused = await call(api.aliceKey, '/tasks/ai.complete_prompt', {
      method: 'POST',
      body: JSON.stringify({ prompt: 'hi\u0000there' }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      error: { code: 'PAYLOAD_INVALID', details: [{ path: 'prompt' }] },
    });
    // A row PostgreSQL refuses that got past the edge (a job queued before the fix, say).
    void api.records.write({
      id: crypto.randomUUID(),
      name: 'ai.complete_prompt',
      queue: 'ai',
      userId: 'alice',
      status: 'completed',
      payload: { prompt: 'hi\u0000there' },
      createdAt: new Date(),
      version: 1,
    });
    // Bob's task, submitted right after: delayed, so it is still waiting when he cancels it.
    const submitted = await call(api.bobKey, '/tasks/maintenance.health_check?delayMs=60000', {
      method: 'POST',
      body: '{}',
    });
    expect(submitted.status).toBe(202);
    const { taskId } = (await submitted.json()) as { taskId: string };
    expect((await call(api.bobKey, `/tasks/${taskId}`)).status).toBe(200);
    const cancelled = await call(api.bobKey, `/tasks/${taskId}/cancel`, { method: 'POST' });
    expect(await cancelled.json()).toMatchObject({ status: 'cancelled' });
    await api.projected();
    const [stored] = await api.testDb.database.db.select().from(tasks).where(eq(tasks.id, taskId));
    expect(stored).toMatchObject({ status: 'cancelled', userId: 'bob' });

    const health = await app.request('/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', records: { quarantined: 1, dropped: 0 } });
    expect(await (await app.request('/metrics')).text()).toMatch(/^foreman_records_quarantined_total 1$/m);
    expect(api.records.quarantine()).toEqual([
      expect.objectContaining({
        kind: 'task',
        name: 'ai.complete_prompt',
        userId: 'alice',
        sqlState: '22P05',
      }),
    ]);
  });

  it('shows stack traces and server paths of error records to admins only', async () => {
    const taskId = crypto.randomUUID();
    const error = "ENOENT: no such file or directory, open '/var/lib/foreman/files/alice/a.txt'";
    const stackTrace = `Error: ${error}\n    at open (/app/apps/file-worker/dist/tasks/checksum-file.js:12:9)`;
    await Promise.all([
      api.records.write({
        id: taskId,
        name: 'file.checksum_file',
        queue: 'file',
        userId: 'alice',
        status: 'failed',
        error,
        stackTrace,
        createdAt: new Date(),
        version: 1,
      }),
      api.records.writeDeadLetter({
        taskId,
        name: 'file.checksum_file',
        queue: 'file',
        userId: 'alice',
        error,
        stackTrace,
        attempts: 1,
        failedAt: new Date(),
      }),
    ]);
    const view = async (key: string) => ({
      task: await (await call(key, `/tasks/${taskId}`)).json(),
      letter: await (await call(key, `/dead-letters/${taskId}`)).json(),
    });
    expect(await view(api.aliceKey)).toMatchObject({
      task: { error: "ENOENT: no such file or directory, open '…/a.txt'", stackTrace: null },
      letter: { error: "ENOENT: no such file or directory, open '…/a.txt'" },
    });
    expect(await view(api.adminKey)).toMatchObject({ task: { error, stackTrace }, letter: { error } });
  });
});
