import { waitFor } from '@foreman/core/testing';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { type RunningSystem, startSystem } from './system.js';

interface Alert {
  id: string;
  ruleId: string;
  status: string;
  acknowledgedBy: string | null;
}

// Issue 14, item 3: alert rules and alerts are the admin's; user keys are refused everything.
describe('security: alert rules and alerts against user keys', () => {
  let testDb: TestDatabase;
  let system: RunningSystem;
  const keys: Record<'alice' | 'bob', string> = { alice: '', bob: '' };

  const as = (key: string, method: string, path: string, body?: unknown) =>
    fetch(`${system.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const adminRules = async () =>
    (
      (await (await system.api('/alert-rules')).json()) as {
        rules: Array<{ rule: { id: string; enabled: boolean; cooldownMs: number } }>;
      }
    ).rules.map(({ rule }) => rule);
  const adminAlert = async (id: string) => (await (await system.api(`/alerts/${id}`)).json()) as Alert;

  beforeAll(async () => {
    testDb = await createTestDatabase('e2e_sec_ops');
    // No worker: the submitted task stays queued and keeps the admin's rule firing.
    system = await startSystem(
      { url: testDb.url, schema: testDb.schema },
      { workers: [], env: { ALERT_EVALUATION: 'on', ALERT_INTERVAL_MS: '500' } },
    );
    for (const user of ['alice', 'bob'] as const) {
      const created = await system.api('/keys', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: user }),
      });
      keys[user] = ((await created.json()) as { key: string }).key;
    }
    const rule = {
      id: 'admin-backlog',
      kind: 'queue_depth',
      queue: 'maintenance',
      threshold: 0,
      severity: 'warning',
    };
    expect((await as(system.adminKey, 'POST', '/alert-rules', rule)).status).toBe(201);
    expect((await as(system.adminKey, 'POST', '/tasks/maintenance.health_check', {})).status).toBe(202);
  });
  afterAll(async () => {
    await system?.stop();
    await testDb?.drop();
  });

  it('refuses to list, create, change, disable and delete rules; the admin rule stays as it was', async () => {
    const before = await adminRules();
    for (const key of Object.values(keys)) {
      const attempts: Array<[string, string, unknown?]> = [
        ['GET', '/alert-rules'],
        ['GET', '/alert-rules/admin-backlog'],
        [
          'PUT',
          '/alert-rules/admin-backlog',
          { kind: 'queue_depth', queue: 'maintenance', threshold: 0, severity: 'warning', enabled: false },
        ],
        ['DELETE', '/alert-rules/admin-backlog'],
        [
          'POST',
          '/alert-rules',
          {
            id: 'pager',
            kind: 'queue_depth',
            queue: 'email',
            threshold: 0,
            severity: 'critical',
            cooldownMs: 0,
          },
        ],
      ];
      for (const [method, path, body] of attempts)
        expect({ method, path, status: (await as(key, method, path, body)).status }).toEqual({
          method,
          path,
          status: 403,
        });
      expect(await adminRules()).toEqual(before);
    }
  });

  it('refuses to read, acknowledge (under any name) or resolve alerts; only the admin acknowledges, as itself', async () => {
    const [alert] = await waitFor(
      async () => {
        const listed = (await (await system.api('/alerts?status=firing')).json()) as { alerts: Alert[] };
        return listed.alerts.length > 0 ? listed.alerts : undefined;
      },
      { what: 'the admin rule to fire', timeoutMs: 20_000, intervalMs: 200 },
    );
    for (const key of Object.values(keys)) {
      for (const [method, path, body] of [
        ['GET', '/alerts'],
        ['GET', `/alerts/${alert!.id}`],
        ['POST', `/alerts/${alert!.id}/ack`, { by: 'admin' }],
        ['POST', `/alerts/${alert!.id}/ack`],
        ['POST', `/alerts/${alert!.id}/resolve`],
      ] as Array<[string, string, unknown?]>)
        expect({ method, path, status: (await as(key, method, path, body)).status }).toEqual({
          method,
          path,
          status: 403,
        });
      expect(await adminAlert(alert!.id)).toMatchObject({ status: 'firing', acknowledgedBy: null });
    }
    // A name in the body is refused even from the admin; the acknowledgement names the key's user.
    expect((await as(system.adminKey, 'POST', `/alerts/${alert!.id}/ack`, { by: 'mallory' })).status).toBe(
      400,
    );
    expect(await (await as(system.adminKey, 'POST', `/alerts/${alert!.id}/ack`)).json()).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'admin',
    });
  });
});
