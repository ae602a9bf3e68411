import { createRegistry } from '@foreman/contracts';
import { TaskClient, TaskRecordWriter } from '@foreman/core';
import { createTestRedis, type TestRedis } from '@foreman/core/testing';
import { tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { createLogger } from '@foreman/logger';
import { createApp } from '../src/app.js';

describe('api', () => {
  let redis: TestRedis;
  let testDb: TestDatabase;
  let client: TaskClient;
  let records: TaskRecordWriter;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    redis = await createTestRedis('api');
    testDb = await createTestDatabase('api');
    const logger = createLogger('api', { level: 'silent' });
    records = new TaskRecordWriter({ db: testDb.database.db });
    client = new TaskClient({
      registry: createRegistry(),
      connection: redis.redis,
      prefix: redis.prefix,
      records,
    });
    app = createApp({ client, database: testDb.database, redis: redis.redis, logger, maxBodyBytes: 2_048 });
  });
  afterAll(async () => {
    await client.close();
    await records.close();
    await redis.cleanup();
    await testDb.drop();
  });

  const post = (path: string, body: string) =>
    app.request(path, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  const queued = async () => {
    let total = 0;
    for (const queue of client.registry.queues()) total += await client.queue(queue).count();
    return total;
  };

  it('accepts a valid task with 202 and records it as pending', async () => {
    const response = await post(
      '/tasks/email.send_email?userId=u7',
      JSON.stringify({ to: ['a@b.test'], subject: 'Hi', text: 'x' }),
    );
    expect(response.status).toBe(202);
    const body = (await response.json()) as { taskId: string; queue: string };
    expect(body.queue).toBe('email');
    const record = await app.request(`/tasks/${body.taskId}`);
    expect(record.status).toBe(200);
    expect(await record.json()).toMatchObject({
      id: body.taskId,
      status: 'pending',
      userId: 'u7',
      queue: 'email',
    });
  });

  it('answers bad input in the one error shape and enqueues and writes nothing', async () => {
    const before = await queued();
    const rowsBefore = await testDb.database.db.$count(tasks);
    const cases: Array<[Response, number, string]> = [
      [
        await post('/tasks/email.send_email', JSON.stringify({ to: ['nope'], subject: '' })),
        400,
        'PAYLOAD_INVALID',
      ],
      [await post('/tasks/no.such_task', '{}'), 404, 'TASK_UNKNOWN'],
      [
        await post('/tasks/email.send_email', JSON.stringify({ text: 'x'.repeat(4_000) })),
        413,
        'BODY_TOO_LARGE',
      ],
      [await post('/tasks/email.send_email', '{"to": ['), 400, 'JSON_MALFORMED'],
      [await post('/tasks/maintenance.health_check?priority=-4', '{}'), 400, 'QUERY_INVALID'],
      [await app.request('/tasks/does-not-exist'), 404, 'TASK_NOT_FOUND'],
      [await app.request('/nowhere'), 404, 'ROUTE_NOT_FOUND'],
    ];
    for (const [response, status, code] of cases) {
      expect({
        status: response.status,
        code: ((await response.json()) as { error: { code: string } }).error.code,
      }).toEqual({
        status,
        code,
      });
    }
    const invalid = await post(
      '/tasks/email.send_email',
      JSON.stringify({ to: ['nope'], subject: '', text: 'x' }),
    );
    const details = ((await invalid.json()) as { error: { details: Array<{ path: string }> } }).error.details;
    expect(details.map((issue) => issue.path).sort()).toEqual(['subject', 'to.0']);
    expect(await queued()).toBe(before);
    await records.flush();
    expect(await testDb.database.db.$count(tasks)).toBe(rowsBefore);
  });

  it('lists task types with JSON Schema payloads', async () => {
    const response = await app.request('/task-types');
    const { taskTypes } = (await response.json()) as {
      taskTypes: Array<{ name: string; queue: string; payloadSchema: { type: string } }>;
    };
    expect(taskTypes.map((type) => type.name)).toEqual(
      expect.arrayContaining(['email.send_email', 'maintenance.health_check']),
    );
    expect(taskTypes.every((type) => type.payloadSchema.type === 'object')).toBe(true);
  });

  it('reports Redis and database health', async () => {
    const response = await app.request('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      redis: { ok: true },
      database: { ok: true, kind: 'postgres' },
    });
  });
});
