import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UnrecoverableError } from 'bullmq';
import { ChatClient } from '../src/client/chat-client.js';
import { ChatCompletionError } from '../src/client/chat-completion-error.js';
import { completePromptTask } from '../src/tasks/complete-prompt.js';

type Reply = (
  request: { body: Record<string, unknown>; headers: IncomingMessage['headers'] },
  response: ServerResponse,
) => void;

/** An OpenAI-compatible chat-completions server on loopback whose replies each test scripts. */
async function startModelServer() {
  let reply: Reply = () => {};
  const server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => {
      raw += chunk;
    });
    request.on('end', () => reply({ body: JSON.parse(raw), headers: request.headers }, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    reply: (next: Reply) => {
      reply = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const json = (
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
const context = { signal: new AbortController().signal } as never;

describe('ai.complete_prompt against an OpenAI-compatible server', () => {
  let server: Awaited<ReturnType<typeof startModelServer>>;
  let task: ReturnType<typeof completePromptTask>;
  beforeAll(async () => {
    server = await startModelServer();
    task = completePromptTask({
      chat: new ChatClient({ baseUrl: server.baseUrl, apiKey: 'sk-test', model: 'tiny' }),
    });
  });
  afterAll(() => server.close());

  it('sends the prompt and returns the answer with token usage', async () => {
    let seen: { body: Record<string, unknown>; auth: string | undefined } | undefined;
    server.reply(({ body, headers }, response) => {
      seen = { body, auth: headers.authorization };
      json(response, 200, {
        model: 'tiny-1',
        choices: [{ message: { role: 'assistant', content: 'Paris' } }],
        usage: { prompt_tokens: 12, completion_tokens: 1 },
      });
    });
    const result = await task.handler({ prompt: 'Capital of France?', system: 'Be brief' }, context);
    expect(result).toEqual({ answer: 'Paris', model: 'tiny-1', promptTokens: 12, completionTokens: 1 });
    expect(seen?.auth).toBe('Bearer sk-test');
    expect(seen?.body).toMatchObject({
      model: 'tiny',
      messages: [
        { role: 'system', content: 'Be brief' },
        { role: 'user', content: 'Capital of France?' },
      ],
    });
  });

  it('treats 429 as worth a retry and keeps Retry-After', async () => {
    server.reply((_request, response) => json(response, 429, { error: 'slow down' }, { 'retry-after': '3' }));
    const error = await Promise.resolve(task.handler({ prompt: 'x' }, context)).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ChatCompletionError);
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 3_000 });
  });

  it('treats 5xx as worth a retry', async () => {
    server.reply((_request, response) => json(response, 503, { error: 'overloaded' }));
    await expect(task.handler({ prompt: 'x' }, context)).rejects.toMatchObject({
      retryable: true,
      status: 503,
    });
  });

  it('does not retry a malformed reply', async () => {
    server.reply((_request, response) => json(response, 200, { choices: 'nope' }));
    const error = await Promise.resolve(task.handler({ prompt: 'x' }, context)).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).toMatch(/malformed completion/);
  });

  it('does not retry a 400', async () => {
    server.reply((_request, response) => json(response, 400, { error: 'bad model' }));
    await expect(task.handler({ prompt: 'x' }, context)).rejects.toThrow(UnrecoverableError);
  });
});
