import { chatEnvSchema, loadConfig } from '@foreman/config';
import { chatClientFromEnv } from '../src/index.js';
import { completion, type ModelServer, replyJson, startModelServer } from '../src/testing.js';

describe('chatClientFromEnv', () => {
  let server: ModelServer;
  beforeAll(async () => {
    server = await startModelServer();
  });
  afterAll(() => server.close());

  it('asks the server, model and key that the AI_* settings name', async () => {
    let auth: string | undefined;
    server.reply(({ headers }, response) => {
      auth = headers.authorization;
      replyJson(response, 200, completion('ok'));
    });
    const env = loadConfig(chatEnvSchema, {
      AI_BASE_URL: server.baseUrl,
      AI_API_KEY: 'sk-env',
      AI_MODEL: 'env-model',
    });
    expect((await chatClientFromEnv(env).complete({ prompt: 'hi' })).answer).toBe('ok');
    expect(auth).toBe('Bearer sk-env');
    expect(server.requests.at(-1)).toMatchObject({ model: 'env-model' });
  });

  it('gives up after AI_REQUEST_TIMEOUT_MS', async () => {
    server.reply(() => {}); // never answers
    const env = loadConfig(chatEnvSchema, { AI_BASE_URL: server.baseUrl, AI_REQUEST_TIMEOUT_MS: '100' });
    const started = Date.now();
    await expect(chatClientFromEnv(env).complete({ prompt: 'hi' })).rejects.toThrow(/unreachable/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
