import { ChatClient } from '@foreman/ai-client';
import { completion, type ModelServer, replyJson, startModelServer } from '@foreman/ai-client/testing';
import { RateLimitedError } from '@foreman/core';
import { AiUsageStore } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { MetricsRegistry } from '@foreman/metrics';
import { UnrecoverableError } from 'bullmq';
import { completePromptTask } from '../src/tasks/complete-prompt.js';
import { createUsageMeter } from './ai-fixtures.js';

const context = { taskId: 't1', signal: new AbortController().signal } as never;
const asUser = (userId: string) =>
  ({ taskId: `t-${userId}`, userId, signal: new AbortController().signal }) as never;

describe('ai.complete_prompt against an OpenAI-compatible server', () => {
  let server: ModelServer;
  let testDb: TestDatabase;
  let task: ReturnType<typeof completePromptTask>;
  const registry = new MetricsRegistry();
  beforeAll(async () => {
    server = await startModelServer();
    testDb = await createTestDatabase('ai_prompt');
    task = completePromptTask({
      chat: new ChatClient({ baseUrl: server.baseUrl, model: 'tiny' }),
      usage: createUsageMeter(testDb.database.db, registry),
    });
  });
  afterAll(async () => {
    await server.close();
    await testDb.drop();
  });

  it('returns the answer with token usage', async () => {
    server.reply((_r, response) => replyJson(response, 200, completion('Paris')));
    await expect(task.handler({ prompt: 'Capital of France?' }, context)).resolves.toEqual({
      answer: 'Paris',
      model: 'test-model',
      promptTokens: 10,
      completionTokens: 2,
    });
  });

  it('leaves 429 to the retry policy', async () => {
    server.reply((_r, response) => replyJson(response, 429, { error: 'slow down' }));
    const error = await Promise.resolve(task.handler({ prompt: 'x' }, context)).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(UnrecoverableError);
    expect(error).toMatchObject({ status: 429, retryable: true });
  });

  it('turns a 429 with Retry-After into a push-back that spends no attempt', async () => {
    server.reply((_r, response) => replyJson(response, 429, { error: 'slow down' }, { 'retry-after': '7' }));
    const error = await Promise.resolve(task.handler({ prompt: 'x' }, context)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ code: 'TASK_RATE_LIMITED', retryAfterMs: 7_000 });
  });

  it('does not retry a malformed reply or a 400', async () => {
    server.reply((_r, response) => replyJson(response, 200, { choices: 'nope' }));
    await expect(task.handler({ prompt: 'x' }, context)).rejects.toThrow(UnrecoverableError);
    server.reply((_r, response) => replyJson(response, 400, { error: 'bad model' }));
    await expect(task.handler({ prompt: 'x' }, context)).rejects.toThrow(UnrecoverableError);
  });

  it("counts a user's calls per day and stops them, typed, once the daily budget is spent", async () => {
    const usage = new AiUsageStore(testDb.database.db);
    await usage.setBudget('carol', 15, 'admin');
    server.reply((_r, response) =>
      replyJson(response, 200, completion('ok', { prompt_tokens: 9, completion_tokens: 3 })),
    );
    await task.handler({ prompt: 'one' }, asUser('carol'));
    await task.handler({ prompt: 'two' }, asUser('carol'));
    const calls = server.requests.length;

    const error = await Promise.resolve(task.handler({ prompt: 'three' }, asUser('carol'))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).cause).toMatchObject({
      code: 'AI_BUDGET_EXCEEDED',
      details: { userId: 'carol', dailyTokens: 15, usedTokens: 24 },
    });
    expect(server.requests).toHaveLength(calls);
    // Another user, and the system, are not held by carol's budget.
    await expect(task.handler({ prompt: 'mine' }, asUser('dave'))).resolves.toMatchObject({ answer: 'ok' });
    await expect(task.handler({ prompt: 'system' }, context)).resolves.toMatchObject({ answer: 'ok' });

    expect(await usage.today('carol')).toMatchObject({
      promptTokens: 18,
      completionTokens: 6,
      modelCalls: 2,
      toolCalls: 0,
      dailyTokens: 15,
    });
    expect(await usage.today('dave')).toMatchObject({ promptTokens: 9, modelCalls: 1, dailyTokens: null });
    const scraped = await registry.scrape();
    expect(scraped).toMatch(/foreman_ai_tokens(_total)?\{kind="prompt"\} 27/);
    expect(scraped).toMatch(/foreman_ai_budget_refusals(_total)? 1/);

    await usage.setBudget('carol', null, 'admin');
    await expect(task.handler({ prompt: 'again' }, asUser('carol'))).resolves.toMatchObject({ answer: 'ok' });
  });
});
