import { ChatCompletionError } from '../src/chat-completion-error.js';
import { EmbeddingClient } from '../src/embedding-client.js';
import { embeddings, type ModelServer, replyJson, startModelServer } from '../src/testing.js';

describe('EmbeddingClient against an OpenAI-compatible server on loopback', () => {
  let server: ModelServer;
  beforeAll(async () => {
    server = await startModelServer();
  });
  afterAll(() => server.close());

  it('sends the inputs in batches to /embeddings and puts the vectors back in input order', async () => {
    const paths: string[] = [];
    server.reply(({ body, path }, response) => {
      paths.push(path);
      const input = body.input as string[];
      // Answered in reverse, as the protocol allows: `index` says whose vector each is.
      const answer = embeddings(input.map((text) => [text.length, 1]));
      answer.data.reverse();
      replyJson(response, 200, answer);
    });
    const client = new EmbeddingClient({ baseUrl: server.baseUrl, model: 'embedder', batchSize: 2 });
    const vectors = await client.embed(['a', 'bb', 'ccc']);
    expect(vectors).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    expect(paths).toEqual(['/v1/embeddings', '/v1/embeddings']);
    expect(server.requests.slice(-2)).toEqual([
      { model: 'embedder', input: ['a', 'bb'] },
      { model: 'embedder', input: ['ccc'] },
    ]);
  });

  it('refuses a reply with a vector missing, and marks a 5xx retryable', async () => {
    const client = new EmbeddingClient({ baseUrl: server.baseUrl, model: 'embedder' });
    server.reply((_r, response) => replyJson(response, 200, embeddings([[1, 2]])));
    await expect(client.embed(['a', 'b'])).rejects.toMatchObject({
      message: expect.stringMatching(/malformed embeddings/),
      retryable: false,
    });
    server.reply((_r, response) => replyJson(response, 503, { error: 'busy' }));
    const error = await client.embed(['a']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChatCompletionError);
    expect(error).toMatchObject({ status: 503, retryable: true });
  });

  it('refuses a batch size below one at construction', () => {
    expect(() => new EmbeddingClient({ baseUrl: server.baseUrl, model: 'm', batchSize: 0 })).toThrow(
      /batchSize/,
    );
  });
});
