import { AiUsageStore } from '@foreman/db';
import { startTestApi, type TestApi } from './test-api.js';

describe('AI usage and budgets', () => {
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
});
