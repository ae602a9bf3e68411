import { ChatClient, type ChatMessage, type ToolSpec } from '../src/chat-client.js';
import { ChatCompletionError } from '../src/chat-completion-error.js';
import {
  completion,
  type ModelServer,
  replyJson,
  startModelServer,
  streamReply,
  toolCallCompletion,
} from '../src/testing.js';

describe('ChatClient against an OpenAI-compatible server on loopback', () => {
  let server: ModelServer;
  let client: ChatClient;
  beforeAll(async () => {
    server = await startModelServer();
    client = new ChatClient({ baseUrl: server.baseUrl, apiKey: 'sk-test', model: 'tiny' });
  });
  afterAll(() => server.close());

  it('sends system and user messages with the key and returns answer and usage', async () => {
    let auth: string | undefined;
    server.reply(({ headers }, response) => {
      auth = headers.authorization;
      replyJson(response, 200, completion('Paris', { prompt_tokens: 12, completion_tokens: 1 }));
    });
    const answer = await client.complete({ prompt: 'Capital of France?', system: 'Be brief', maxTokens: 5 });
    expect(answer).toEqual({ answer: 'Paris', model: 'test-model', promptTokens: 12, completionTokens: 1 });
    expect(auth).toBe('Bearer sk-test');
    expect(server.requests.at(-1)).toEqual({
      model: 'tiny',
      max_tokens: 5,
      messages: [
        { role: 'system', content: 'Be brief' },
        { role: 'user', content: 'Capital of France?' },
      ],
    });
  });

  it('marks 429 retryable and keeps Retry-After', async () => {
    server.reply((_r, response) => replyJson(response, 429, { error: 'slow down' }, { 'retry-after': '3' }));
    const error = await client.complete({ prompt: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChatCompletionError);
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 3_000 });
  });

  it('marks 5xx retryable and 4xx not', async () => {
    server.reply((_r, response) => replyJson(response, 503, { error: 'overloaded' }));
    await expect(client.complete({ prompt: 'x' })).rejects.toMatchObject({ status: 503, retryable: true });
    server.reply((_r, response) => replyJson(response, 400, { error: 'bad model' }));
    await expect(client.complete({ prompt: 'x' })).rejects.toMatchObject({ status: 400, retryable: false });
  });

  it('rejects a malformed reply and a reply that is not JSON, without retry', async () => {
    server.reply((_r, response) => replyJson(response, 200, { choices: 'nope' }));
    await expect(client.complete({ prompt: 'x' })).rejects.toMatchObject({
      message: expect.stringMatching(/malformed completion/),
      retryable: false,
    });
    server.reply((_r, response) => void response.writeHead(200).end('<html>proxy error</html>'));
    await expect(client.complete({ prompt: 'x' })).rejects.toMatchObject({ retryable: false });
  });

  it('reports an unreachable server as retryable', async () => {
    const nowhere = new ChatClient({ baseUrl: 'http://127.0.0.1:1/v1', model: 'tiny' });
    await expect(nowhere.complete({ prompt: 'x' })).rejects.toMatchObject({
      message: expect.stringMatching(/unreachable/),
      retryable: true,
    });
  });
});

describe('ChatClient.converse with tools', () => {
  let server: ModelServer;
  let client: ChatClient;
  beforeAll(async () => {
    server = await startModelServer();
    client = new ChatClient({ baseUrl: server.baseUrl, model: 'tiny' });
  });
  afterAll(() => server.close());

  it('offers tools, returns the tool calls asked for, and sends tool results back as they are', async () => {
    const tool: ToolSpec = {
      type: 'function',
      function: { name: 'lookup', description: 'Looks up', parameters: { type: 'object', properties: {} } },
    };
    server.reply((_r, response) =>
      replyJson(response, 200, toolCallCompletion([{ id: 'c1', name: 'lookup', arguments: { q: 'x' } }])),
    );
    const turn = await client.converse({ messages: [{ role: 'user', content: 'hi' }], tools: [tool] });
    expect(turn).toMatchObject({
      content: null,
      toolCalls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }],
    });
    expect(server.requests.at(-1)).toMatchObject({ tools: [tool] });

    server.reply((_r, response) => replyJson(response, 200, completion('done')));
    const messages: ChatMessage[] = [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: null, tool_calls: turn.toolCalls },
      { role: 'tool', tool_call_id: 'c1', content: '{"found":1}' },
    ];
    expect(await client.converse({ messages, tools: [tool] })).toMatchObject({
      content: 'done',
      toolCalls: [],
    });
    expect(server.requests.at(-1)).toMatchObject({ messages });
  });
});

describe('ChatClient.converse streaming (stream: true)', () => {
  let server: ModelServer;
  let client: ChatClient;
  beforeAll(async () => {
    server = await startModelServer();
    client = new ChatClient({ baseUrl: server.baseUrl, model: 'tiny' });
  });
  afterAll(() => server.close());

  it('passes each piece on in order and returns the whole text with its usage', async () => {
    server.reply(
      streamReply(['Par', 'is', ' is', ' lovely'], { usage: { prompt_tokens: 7, completion_tokens: 4 } }),
    );
    const pieces: string[] = [];
    const turn = await client.converse({
      messages: [{ role: 'user', content: 'Capital?' }],
      onText: (text) => pieces.push(text),
    });
    expect(pieces).toEqual(['Par', 'is', ' is', ' lovely']);
    expect(turn).toEqual({
      content: 'Paris is lovely',
      toolCalls: [],
      model: 'test-model',
      promptTokens: 7,
      completionTokens: 4,
    });
    expect(server.requests.at(-1)).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('puts a tool call sent in pieces back together', async () => {
    server.reply((_r, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const call = (piece: object) => ({ choices: [{ index: 0, delta: { tool_calls: [piece] } }] });
      for (const chunk of [
        call({ index: 0, id: 'c1', type: 'function', function: { name: 'lookup', arguments: '' } }),
        call({ index: 0, function: { arguments: '{"q":' } }),
        call({ index: 0, function: { arguments: '"x"}' } }),
      ]) {
        response.write(`data: ${JSON.stringify(chunk)}\n\n`);
      }
      response.end('data: [DONE]\n\n');
    });
    const turn = await client.converse({ messages: [{ role: 'user', content: 'hi' }], onText: () => {} });
    expect(turn).toMatchObject({
      content: null,
      toolCalls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }],
    });
  });

  it('fails a stream cut before [DONE] as retryable and a garbled one as not', async () => {
    server.reply((_r, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'half' } }] })}\n\n`);
    });
    const request = { messages: [{ role: 'user' as const, content: 'hi' }], onText: () => {} };
    await expect(client.converse(request)).rejects.toMatchObject({ retryable: true });
    server.reply((_r, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end('data: {not json\n\n');
    });
    await expect(client.converse(request)).rejects.toMatchObject({
      message: expect.stringMatching(/malformed stream/),
      retryable: false,
    });
  });
});
