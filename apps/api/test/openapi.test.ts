import { startTestApi, type TestApi } from './test-api.js';

describe('api description and probes', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('api_openapi');
  });
  afterAll(() => api.close());

  it('serves an OpenAPI document generated from the route schemas, and the docs page, without a key', async () => {
    const response = await api.call(undefined, '/openapi.json');
    expect(response.status).toBe(200);
    const doc = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/tasks',
        '/tasks/{name}',
        '/tasks/{id}',
        '/tasks/{id}/cancel',
        '/tasks/{id}/retry',
        '/queues',
        '/workers',
        '/events',
        '/keys',
        '/health',
        '/ready',
        '/login',
        '/logout',
      ]),
    );
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Error', 'Task', 'TaskPage']),
    );
    const docs = await api.call(undefined, '/docs');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('/openapi.json');
  });

  it('reports health and readiness without a key', async () => {
    for (const path of ['/health', '/ready']) {
      const response = await api.call(undefined, path);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        status: 'ok',
        redis: { ok: true },
        database: { ok: true, kind: 'postgres' },
      });
    }
  });

  it('lists task types with JSON Schema payloads', async () => {
    const response = await api.call(api.aliceKey, '/task-types');
    const { taskTypes } = (await response.json()) as {
      taskTypes: Array<{ name: string; payloadSchema: { type: string } }>;
    };
    expect(taskTypes.map((type) => type.name)).toEqual(
      expect.arrayContaining(['email.send_email', 'maintenance.health_check']),
    );
    expect(taskTypes.every((type) => type.payloadSchema.type === 'object')).toBe(true);
  });
});
