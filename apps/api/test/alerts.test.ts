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

  const sendAs = (key: string, method: string, path: string, body?: unknown) =>
    app.request(path, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    });
  const send = (method: string, path: string, body?: unknown) => sendAs(api.adminKey, method, path, body);

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
    // The acknowledging user is the key's: a name in the body is refused, not recorded.
    const forged = await send('POST', `/alerts/${id}/ack`, { by: 'ada' });
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: { code: 'BODY_INVALID' } });
    expect(await (await send('POST', `/alerts/${id}/ack`)).json()).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'admin',
    });
    expect(await (await send('POST', `/alerts/${id}/resolve`)).json()).toMatchObject({ status: 'resolved' });
    expect((await send('POST', `/alerts/${id}/resolve`)).status).toBe(409);
    expect((await send('GET', '/alerts/missing')).status).toBe(404);
    expect((await send('GET', '/alerts?status=sleeping')).status).toBe(400);
    expect((await send('DELETE', '/alert-rules/maintenance-backlog')).status).toBe(204);
  });

  it('refuses every alert and alert rule route to a user key, leaving rules and alerts as they were', async () => {
    const rule = {
      id: 'admin-rule',
      kind: 'queue_depth',
      queue: 'maintenance',
      threshold: 1000,
      severity: 'warning',
    };
    expect((await send('POST', '/alert-rules', rule)).status).toBe(201);
    await api.client.submit('maintenance.health_check', {});
    await alerts.rules.create({ ...rule, id: 'firing-rule', threshold: 0 });
    await alerts.evaluate();
    const [alert] = (await alerts.list({ status: 'firing' })).filter((one) => one.ruleId === 'firing-rule');
    const id = alert!.id;
    const attempts: Array<[string, string, unknown?]> = [
      ['GET', '/alert-rules'],
      ['GET', '/alert-rules/admin-rule'],
      ['POST', '/alert-rules', { ...rule, id: 'pager-spam', severity: 'critical', cooldownMs: 0 }],
      ['PUT', '/alert-rules/admin-rule', { ...rule, enabled: false }],
      ['DELETE', '/alert-rules/admin-rule'],
      ['GET', '/alerts'],
      ['GET', `/alerts/${id}`],
      ['POST', `/alerts/${id}/ack`, { by: 'admin' }],
      ['POST', `/alerts/${id}/ack`],
      ['POST', `/alerts/${id}/resolve`],
    ];
    for (const [method, path, body] of attempts) {
      const response = await sendAs(api.aliceKey, method, path, body);
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 403 });
    }
    expect((await alerts.rules.list()).map(({ rule: one }) => [one.id, one.enabled])).toEqual(
      expect.arrayContaining([
        ['admin-rule', true],
        ['firing-rule', true],
      ]),
    );
    expect((await alerts.rules.list()).some(({ rule: one }) => one.id === 'pager-spam')).toBe(false);
    expect(await alerts.get(id)).toMatchObject({ status: 'firing', acknowledgedBy: null });
  });
});
