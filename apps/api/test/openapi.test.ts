import { startFullTestApi } from './full-test-api.js';
import type { TestApi } from './test-api.js';

describe('api description and probes', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startFullTestApi('api_openapi');
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
        '/task-types',
        '/metrics',
        '/metrics/summary',
        '/metrics/queues',
        '/advisor',
        '/alerts',
        '/alerts/{id}/ack',
        '/alert-rules',
        '/alert-rules/{id}',
        '/fairness',
      ]),
    );
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Error', 'Task', 'TaskPage', 'TaskTypeSummaries', 'Alert', 'AdvisorReport']),
    );
    // The alert rule body is the alerting package's own schema: one variant per rule kind.
    const createRule = doc.paths['/alert-rules']!.post as {
      requestBody: { content: { 'application/json': { schema: { oneOf?: unknown[]; anyOf?: unknown[] } } } };
    };
    const ruleSchema = createRule.requestBody.content['application/json'].schema;
    expect((ruleSchema.oneOf ?? ruleSchema.anyOf ?? []).length).toBeGreaterThanOrEqual(5);
    const docs = await api.call(undefined, '/docs');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('/openapi.json');
  });

  it('reports liveness and readiness without a key', async () => {
    const live = await api.call(undefined, '/health');
    expect(live.status).toBe(200);
    // The process's own figures only: no dependency is asked.
    expect(await live.json()).toEqual({
      status: 'ok',
      service: 'api',
      uptimeMs: expect.any(Number),
      records: { quarantined: 0, dropped: 0, buffered: 0 },
    });
    const ready = await api.call(undefined, '/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      redis: { ok: true },
      database: { ok: true, kind: 'postgres' },
    });
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
