import { createServer, type Server, type Socket } from 'node:net';
import { createDatabase, type Database } from '@foreman/db';
import { startTestApi, type TestApi } from './test-api.js';

/** A PostgreSQL that accepts connections and never answers, as a hung server would. */
async function startStalledServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const timed = async (answer: Promise<Response>) => {
  const started = performance.now();
  const response = await answer;
  return { status: response.status, body: await response.json(), ms: performance.now() - started };
};

describe('api liveness and readiness with the database away', () => {
  let stalled: Awaited<ReturnType<typeof startStalledServer>>;
  let database: Database;
  let api: TestApi;
  beforeAll(async () => {
    stalled = await startStalledServer();
    // Connects would wait 30 s: only the readiness timeout can bound the probe.
    database = createDatabase({
      url: `postgres://foreman@127.0.0.1:${stalled.port}/test`,
      connectTimeoutMs: 30_000,
    });
    api = await startTestApi('api_health', { database, healthCheckTimeoutMs: 500 });
  });
  afterAll(async () => {
    await api.close();
    await stalled.close();
    await database.close().catch(() => {});
  });

  it('answers /health 200 at once and /ready 503 within its timeout while PostgreSQL is stalled', async () => {
    const live = await timed(Promise.resolve(api.app.request('/health')));
    expect(live).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(live.ms).toBeLessThan(250);
    const ready = await timed(Promise.resolve(api.app.request('/ready')));
    expect(ready).toMatchObject({
      status: 503,
      body: {
        status: 'unavailable',
        redis: { ok: true },
        database: { ok: false, error: 'no answer within 500 ms', kind: 'postgres' },
      },
    });
    expect(ready.ms).toBeLessThan(1_500);
  });

  it('answers /ready 503 at once when PostgreSQL refuses connections', async () => {
    const refused = createDatabase({ url: 'postgres://foreman@127.0.0.1:1/test' });
    const replica = api.replica({ database: refused });
    try {
      const ready = await timed(Promise.resolve(replica.request('/ready')));
      expect(ready).toMatchObject({ status: 503, body: { database: { ok: false } } });
      expect(ready.ms).toBeLessThan(1_500);
      expect((await replica.request('/health')).status).toBe(200);
    } finally {
      await refused.close();
    }
  });
});
