import { startTestApi, type TestApi } from './test-api.js';

describe('workflows api', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('api_workflows');
  });
  afterAll(() => api.close());

  const definition = {
    name: 'check-twice',
    nodes: [
      { key: 'first', task: 'maintenance.health_check' },
      { key: 'second', task: 'maintenance.health_check', dependsOn: ['first'] },
    ],
  };

  it('submits a workflow as its user, shows it to that user only, and cancels it', async () => {
    const submitted = await api.call(api.aliceKey, '/workflows', {
      method: 'POST',
      body: JSON.stringify(definition),
    });
    expect(submitted.status).toBe(202);
    const { workflowId } = (await submitted.json()) as { workflowId: string };
    const status = await api.call(api.aliceKey, `/workflows/${workflowId}`);
    expect(status.status).toBe(200);
    const view = (await status.json()) as { userId: string; nodes: Array<{ key: string }> };
    expect(view.userId).toBe('alice');
    expect(view.nodes.map((node) => node.key).sort()).toEqual(['first', 'second']);
    expect((await api.call(api.bobKey, `/workflows/${workflowId}`)).status).toBe(404);
    expect((await api.call(api.bobKey, `/workflows/${workflowId}/cancel`, { method: 'POST' })).status).toBe(
      404,
    );
    const cancelled = await api.call(api.aliceKey, `/workflows/${workflowId}/cancel`, { method: 'POST' });
    expect(await cancelled.json()).toEqual({ workflowId, cancelled: true });
  });

  it('refuses a cyclic or unknown-task workflow with the one error shape', async () => {
    for (const bad of [
      { name: 'loop', nodes: [{ key: 'a', task: 'maintenance.health_check', dependsOn: ['a'] }] },
      { name: 'nope', nodes: [{ key: 'a', task: 'no.such_task' }] },
      { name: 'x', nodes: [{ key: 'bad key!', task: 'maintenance.health_check' }] },
    ]) {
      const response = await api.call(api.aliceKey, '/workflows', {
        method: 'POST',
        body: JSON.stringify(bad),
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(Object.keys((await response.json()) as object)).toEqual(['error']);
    }
  });
});
