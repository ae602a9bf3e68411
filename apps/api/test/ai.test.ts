import { ai } from '@foreman/contracts';
import { AiUsageStore, aiTasks, eq } from '@foreman/db';
import { startTestApi, type TestApi } from './test-api.js';

describe('AI tasks, usage and budgets', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('api_ai_usage');
  });
  afterAll(() => api.close());

  const put = (key: string, userId: string, body: unknown) =>
    api.call(key, `/ai/budgets/${userId}`, { method: 'PUT', body: JSON.stringify(body) });

  it("lets admins set a user's daily budget and each user read their own day", async () => {
    await new AiUsageStore(api.testDb.database.db).record('alice', {
      promptTokens: 120,
      completionTokens: 30,
      modelCalls: 2,
      toolCalls: 1,
    });
    const set = await put(api.adminKey, 'alice', { dailyTokens: 1000 });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ userId: 'alice', dailyTokens: 1000, promptTokens: 120 });

    const own = await api.call(api.aliceKey, '/ai/usage');
    expect(own.status).toBe(200);
    expect(await own.json()).toEqual({
      userId: 'alice',
      day: new Date().toISOString().slice(0, 10),
      promptTokens: 120,
      completionTokens: 30,
      modelCalls: 2,
      toolCalls: 1,
      dailyTokens: 1000,
    });

    const removed = await put(api.adminKey, 'alice', { dailyTokens: null });
    expect(await removed.json()).toMatchObject({ dailyTokens: null });
  });

  it('refuses budgets from non-admins, bad budgets, and reading another user without an admin key', async () => {
    const byAlice = await put(api.aliceKey, 'alice', { dailyTokens: 10 ** 9 });
    expect(byAlice.status).toBe(403);
    const negative = await put(api.adminKey, 'alice', { dailyTokens: -5 });
    expect(negative.status).toBe(400);
    expect(((await negative.json()) as { error: { code: string } }).error.code).toBe('BODY_INVALID');
    const others = await api.call(api.aliceKey, '/ai/usage?userId=bob');
    expect(others.status).toBe(403);
    const asAdmin = await api.call(api.adminKey, '/ai/usage?userId=bob');
    expect(await asAdmin.json()).toMatchObject({ userId: 'bob', promptTokens: 0, dailyTokens: null });
  });

  const create = (key: string, body: unknown) =>
    api.call(key, '/ai/tasks', { method: 'POST', body: JSON.stringify(body) });

  it("creates a user's AI task with its tools and submits its first run at once", async () => {
    const response = await create(api.aliceKey, {
      name: 'morning brief',
      prompt: "Summarise today's calendar and my unread mail",
      tools: ['read_calendar', 'search_email'],
      stream: true,
      intervalMinutes: 1440,
      runNow: true,
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string; taskId: string; nextRunAt: string };
    expect(created).toMatchObject({
      tools: ['read_calendar', 'search_email'],
      stream: true,
      intervalMinutes: 1440,
    });
    // Keyed by the model provider, the run may still wait for admission: read it wherever Redis holds it.
    const queued = await api.client.recordFromQueue(created.taskId);
    expect(queued).toMatchObject({
      name: ai.runAiTask.name,
      userId: 'alice',
      payload: { aiTaskId: created.id, dueAt: created.nextRunAt },
    });
    const [row] = await api.testDb.database.db.select().from(aiTasks).where(eq(aiTasks.id, created.id));
    expect(row).toMatchObject({ userId: 'alice', tools: ['read_calendar', 'search_email'], stream: true });
  });

  it('refuses a tool that does not exist and writes nothing', async () => {
    const before = await api.testDb.database.db.select().from(aiTasks);
    const response = await create(api.bobKey, { name: 'x', prompt: 'x', tools: ['shell'] });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('BODY_INVALID');
    expect(await api.testDb.database.db.select().from(aiTasks)).toHaveLength(before.length);
  });

  it('removes the new task when its first run is refused by the submit quota', async () => {
    const limited = api.replica({ submitQuota: { limit: 1, windowMs: 60_000 } });
    const post = (name: string) =>
      limited.request('/ai/tasks', {
        method: 'POST',
        headers: { authorization: `Bearer ${api.bobKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name, prompt: 'hello', runNow: true }),
      });
    expect((await post('first')).status).toBe(201);
    const refused = await post('second');
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('QUOTA_EXCEEDED');
    const rows = await api.testDb.database.db.select().from(aiTasks).where(eq(aiTasks.userId, 'bob'));
    expect(rows.map((row) => row.name)).toEqual(['first']);
  });
});
