import { Redis } from 'ioredis';
import { SseClient } from './sse-client.js';
import { startTestApi, type TestApi } from './test-api.js';

describe('event streams share one Redis reader per api process', () => {
  let api: TestApi;
  let redis: Redis;
  const opened: SseClient[] = [];
  beforeAll(async () => {
    api = await startTestApi('api_event_fanout');
    // The api under test gets a connection named after this file's prefix, so CLIENT LIST can
    // count its connections (and their duplicates) apart from everything else on the server.
    redis = new Redis(api.redis.url, {
      connectionName: `${api.redis.prefix}-api`,
      maxRetriesPerRequest: null,
    });
  });
  afterAll(async () => {
    await Promise.all(opened.map((client) => client.close()));
    redis.disconnect();
    await api.close();
  });

  const apiConnections = async () =>
    ((await api.redis.redis.client('LIST')) as string)
      .split('\n')
      .filter((line) => line.includes(` name=${api.redis.prefix}-api `)).length;

  it('holds 300 open streams on a couple of connections, caps streams per key, and delivers to all', async () => {
    const app = api.replica({ redis, eventStreamsPerKey: 300, eventBlockMs: 200 });
    const open = async (key: string) => {
      const response = await app.request('/events', { headers: { authorization: `Bearer ${key}` } });
      if (response.status !== 200) return response;
      const client = new SseClient(response);
      opened.push(client);
      expect((await client.next()).event).toBe('ready');
      return client;
    };
    const streams = await Promise.all(Array.from({ length: 300 }, () => open(api.aliceKey)));
    expect(streams.every((stream) => stream instanceof SseClient)).toBe(true);
    expect(await apiConnections()).toBeLessThanOrEqual(2);

    // One more of alice's is refused; bob's own streams are not affected by hers.
    const refused = (await open(api.aliceKey)) as Response;
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: 'TOO_MANY_STREAMS' } });
    const bob = (await open(api.bobKey)) as SseClient;

    // Every stream gets the event, each only its own user's.
    const submitted = await app.request('/tasks/maintenance.health_check', {
      method: 'POST',
      headers: { authorization: `Bearer ${api.aliceKey}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const { taskId } = (await submitted.json()) as { taskId: string };
    const firsts = await Promise.all(
      (streams as SseClient[]).map((stream) => stream.collect((event) => event.event === 'submitted')),
    );
    for (const events of firsts)
      expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ taskId, userId: 'alice' });
    await expect(bob.next(600)).rejects.toThrow(/no server-sent event in time/);

    // Closing streams frees their places.
    await Promise.all(opened.splice(0, 10).map((client) => client.close()));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await open(api.aliceKey)).toBeInstanceOf(SseClient);
    expect(await apiConnections()).toBeLessThanOrEqual(2);
  });
});
