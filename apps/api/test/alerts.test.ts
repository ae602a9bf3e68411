import { AlertManager, createChannels } from '@foreman/alerting';
import { createLogger } from '@foreman/logger';
import { createApp } from '../src/app.js';
import { startTestApi, type TestApi } from './test-api.js';

describe('api alert routes', () => {
  let api: TestApi;
  let alerts: AlertManager;
  let app: ReturnType<typeof createApp>;
  const logger = createLogger('api', { level: 'silent' });

  beforeAll(async () => {
    api = await startTestApi('api_alerts');
    alerts = new AlertManager({
      db: api.testDb.database.db,
      redis: api.redis.redis,
      prefix: api.redis.prefix,
      logger,
      channels: createChannels({}, logger),
    });
    app = createApp({
      client: api.client,
      database: api.testDb.database,
      redis: api.redis.redis,
      keys: api.keys,
      logger,
      prefix: api.redis.prefix,
      maxBodyBytes: 8_192,
      rateLimitPerMinute: 10_000,
      alerts,
    });
  });
  afterAll(() => api.close());

  const send = (method: string, path: string, body?: unknown) =>
    app.request(path, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.adminKey}` },
    });

  it('manages rules: create, reject bad ones with each field, replace, list, delete', async () => {
    const rule = {
      id: 'maintenance-backlog',
      kind: 'queue_depth',
      queue: 'maintenance',
      threshold: 1,
      severity: 'warning',
    };
    expect((await send('POST', '/alert-rules', rule)).status).toBe(201);
    expect((await send('POST', '/alert-rules', rule)).status).toBe(409);
    const bad = await send('POST', '/alert-rules', { id: 'x', kind: 'queue_depth', severity: 'loud' });
    expect(bad.status).toBe(400);
    const error = ((await bad.json()) as { error: { code: string; details: Array<{ path: string }> } }).error;
    expect(error.code).toBe('ALERT_RULE_INVALID');
    expect(error.details.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['severity', 'queue', 'threshold']),
    );
    expect(
      (await send('PUT', '/alert-rules/maintenance-backlog', { ...rule, threshold: 1, cooldownMs: 0 }))
        .status,
    ).toBe(200);
    const listed = (await (await send('GET', '/alert-rules')).json()) as {
      rules: Array<{ rule: { id: string; cooldownMs: number }; source: string }>;
    };
    expect(listed.rules).toEqual([
      { rule: expect.objectContaining({ id: 'maintenance-backlog', cooldownMs: 0 }), source: 'api' },
    ]);
    expect((await send('DELETE', '/alert-rules/nope')).status).toBe(404);
  });

  it('lists fired alerts, acknowledges and resolves them', async () => {
    await api.client.submit('maintenance.health_check', {});
    await api.client.submit('maintenance.health_check', {});
    await alerts.evaluate();
    const list = (await (await send('GET', '/alerts?status=firing')).json()) as {
      alerts: Array<{ id: string; ruleId: string; value: number }>;
    };
    expect(list.alerts).toEqual([expect.objectContaining({ ruleId: 'maintenance-backlog', value: 2 })]);
    const id = list.alerts[0]?.id as string;
    expect((await send('POST', `/alerts/${id}/ack`, {})).status).toBe(400);
    expect(await (await send('POST', `/alerts/${id}/ack`, { by: 'ada' })).json()).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'ada',
    });
    expect(await (await send('POST', `/alerts/${id}/resolve`)).json()).toMatchObject({ status: 'resolved' });
    expect((await send('POST', `/alerts/${id}/resolve`)).status).toBe(409);
    expect((await send('GET', '/alerts/missing')).status).toBe(404);
    expect((await send('GET', '/alerts?status=sleeping')).status).toBe(400);
    expect((await send('DELETE', '/alert-rules/maintenance-backlog')).status).toBe(204);
  });
});
