import { ApiRequestError, createApiClient, unwrap } from '@foreman/api-client';
import {
  API_CLIENT_TYPES_FILE,
  committedApiClientTypes,
  generateApiClientTypes,
} from './api-client-types.js';
import { startTestApi, type TestApi } from './test-api.js';

describe('@foreman/api-client', () => {
  it('has committed types equal to what the current api document generates', async () => {
    const generated = await generateApiClientTypes();
    // On failure: run `pnpm --filter @foreman/api generate:api-client` and commit the file.
    expect({ file: API_CLIENT_TYPES_FILE, types: await committedApiClientTypes() }).toEqual({
      file: API_CLIENT_TYPES_FILE,
      types: generated,
    });
  });

  describe('against the api', () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startTestApi('api_client');
    });
    afterAll(() => api.close());

    const clientOf = (token?: string) =>
      createApiClient({
        baseUrl: 'http://api.test/',
        token,
        fetch: async (request) => api.app.request(request),
      });

    it('submits and reads a task with typed answers, sending the token as a bearer key', async () => {
      const client = clientOf(api.aliceKey);
      const submitted = await unwrap(
        client.POST('/tasks/{name}', {
          params: { path: { name: 'sync.fetch_url' } },
          body: { url: 'https://example.org/' },
        }),
      );
      expect(submitted).toMatchObject({ name: 'sync.fetch_url', queue: 'sync', status: 'pending' });
      const task = await unwrap(client.GET('/tasks/{id}', { params: { path: { id: submitted.taskId } } }));
      expect(task).toMatchObject({ id: submitted.taskId, userId: 'alice', status: 'pending' });
    });

    it("throws the api's error answer as an ApiRequestError", async () => {
      const missing = unwrap(clientOf(api.aliceKey).GET('/tasks/{id}', { params: { path: { id: 'nope' } } }));
      await expect(missing).rejects.toBeInstanceOf(ApiRequestError);
      await expect(missing).rejects.toMatchObject({ status: 404, code: 'TASK_NOT_FOUND' });
      await expect(unwrap(clientOf().GET('/queues'))).rejects.toMatchObject({
        status: 401,
        code: 'UNAUTHENTICATED',
      });
    });

    it('refuses a base URL that is not http(s) before sending anything', () => {
      expect(() => createApiClient({ baseUrl: 'ftp://api.test' })).toThrow(
        expect.objectContaining({ code: 'API_CLIENT_OPTIONS_INVALID' }),
      );
    });
  });
});
