import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ModelReply = (
  /** `path`: e.g. /v1/chat/completions or /v1/embeddings. */
  request: { body: Record<string, unknown>; headers: IncomingMessage['headers']; path: string },
  response: ServerResponse,
) => void;

export interface ModelServer {
  /** Base URL to give a ChatClient, ending in /v1. */
  readonly baseUrl: string;
  /** Every request body received, oldest first. */
  readonly requests: Array<Record<string, unknown>>;
  /** Scripts how the next requests are answered. */
  reply(next: ModelReply): void;
  close(): Promise<void>;
}

/** An OpenAI-compatible chat-completions server on loopback whose replies each test scripts. */
export async function startModelServer(): Promise<ModelServer> {
  let reply: ModelReply = (_request, response) => void response.writeHead(500).end();
  const requests: Array<Record<string, unknown>> = [];
  const server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => {
      raw += chunk;
    });
    request.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      requests.push(body);
      reply({ body, headers: request.headers, path: request.url ?? '' }, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    reply: (next) => {
      reply = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Answers the n-th request with the n-th reply (a completion body sent as JSON, or a ModelReply
 * such as `streamReply`), and 500 past the end, so a test sees any call it did not expect.
 */
export function replySequence(replies: ReadonlyArray<unknown>): ModelReply {
  let next = 0;
  return (request, response) => {
    const reply = replies[next];
    next += 1;
    if (reply === undefined) return void replyJson(response, 500, { error: 'no reply scripted' });
    if (typeof reply === 'function') return (reply as ModelReply)(request, response);
    replyJson(response, 200, reply);
  };
}

/**
 * Streams a reply as server-sent events, as `stream: true` asks: one `data:` chunk a piece of text
 * (`gapMs` apart), then one with the usage, then `[DONE]`.
 */
export function streamReply(
  pieces: readonly string[],
  { usage = { prompt_tokens: 10, completion_tokens: pieces.length }, gapMs = 0 } = {},
): ModelReply {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (data: unknown) =>
      response.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
    const chunks: unknown[] = pieces.map((content, index) => ({
      model: 'test-model',
      choices: [{ index: 0, delta: index === 0 ? { role: 'assistant', content } : { content } }],
    }));
    chunks.push({ model: 'test-model', choices: [], usage }, '[DONE]');
    const sendFrom = (index: number) => {
      if (index === chunks.length) return void response.end();
      send(chunks[index]);
      setTimeout(() => sendFrom(index + 1), gapMs);
    };
    sendFrom(0);
  };
}

/** Writes a JSON answer. */
export function replyJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** A well-formed completion with the given answer and token usage. */
export function completion(content: string, usage = { prompt_tokens: 10, completion_tokens: 2 }) {
  return { model: 'test-model', choices: [{ message: { role: 'assistant', content } }], usage };
}

/** A completion that asks for tool calls; `arguments` is sent as the JSON text of the value given. */
export function toolCallCompletion(
  calls: ReadonlyArray<{ id: string; name: string; arguments: unknown }>,
  usage = { prompt_tokens: 10, completion_tokens: 2 },
) {
  return {
    model: 'test-model',
    choices: [
      {
        message: {
          role: 'assistant',
          content: null,
          tool_calls: calls.map((call) => ({
            id: call.id,
            type: 'function',
            function: {
              name: call.name,
              arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
            },
          })),
        },
      },
    ],
    usage,
  };
}

/** A well-formed embeddings answer: one vector per input, in order. */
export function embeddings(vectors: readonly number[][]) {
  return {
    object: 'list',
    model: 'test-embedder',
    data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
  };
}
