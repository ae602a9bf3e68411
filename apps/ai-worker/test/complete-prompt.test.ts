import { ChatClient } from '@foreman/ai-client';
import { completion, type ModelServer, replyJson, startModelServer } from '@foreman/ai-client/testing';
import { UnrecoverableError } from 'bullmq';
import { completePromptTask } from '../src/tasks/complete-prompt.js';

const context = { signal: new AbortController().signal } as never;

describe('ai.complete_prompt against an OpenAI-compatible server', () => {
  let server: ModelServer;
  let task: ReturnType<typeof completePromptTask>;
  beforeAll(async () => {
    server = await startModelServer();
    task = completePromptTask({ chat: new ChatClient({ baseUrl: server.baseUrl, model: 'tiny' }) });
  });
  afterAll(() => server.close());

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

  it('does not retry a malformed reply or a 400', async () => {
    server.reply((_r, response) => replyJson(response, 200, { choices: 'nope' }));
    await expect(task.handler({ prompt: 'x' }, context)).rejects.toThrow(UnrecoverableError);
    server.reply((_r, response) => replyJson(response, 400, { error: 'bad model' }));
    await expect(task.handler({ prompt: 'x' }, context)).rejects.toThrow(UnrecoverableError);
  });
});
