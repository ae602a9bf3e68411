import { fileURLToPath } from 'node:url';
import { createTestRedis, startApiProcess, type TestRedis } from '@foreman/core/testing';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';

const root = fileURLToPath(new URL('../../..', import.meta.url));

// A rolling deploy stops api processes while browsers hold event streams open.
describe('api shutdown', () => {
  let redis: TestRedis;
  let database: TestDatabase;
  beforeAll(async () => {
    redis = await createTestRedis('api_shutdown');
    database = await createTestDatabase('api_shutdown');
  });
  afterAll(async () => {
    await redis.cleanup();
    await database.drop();
  });

  it('ends open event streams on SIGTERM and exits, rather than waiting on them forever', async () => {
    const api = await startApiProcess(root, { redis, database });
    const response = await fetch(`${api.baseUrl}/events`, {
      headers: { authorization: `Bearer ${api.adminKey}` },
    });
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('event: ready');
    // Without the streams ended, the process never exits and this times out.
    await api.stop();
    // Whatever is still buffered is read; then the stream must end.
    let done = false;
    while (!done) ({ done } = await reader.read());
    expect(done).toBe(true);
  }, 60_000);
});
