import { createRedis } from '@foreman/core';
import { tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { describeRecordFlow } from './record-flow.js';
import { startRedisCluster, type TestRedisCluster } from './redis-cluster.js';
import { startSystem } from './system.js';

describe('api -> queue -> worker -> PostgreSQL, on a three-master Redis Cluster', () => {
  let testDb: TestDatabase;
  let cluster: TestRedisCluster;
  afterAll(() => testDb?.drop());

  describeRecordFlow(async () => {
    testDb = await createTestDatabase('e2e');
    cluster = await startRedisCluster();
    const system = await startSystem(
      { url: testDb.url, schema: testDb.schema },
      { redis: cluster, env: { REDIS_CLUSTER: 'true' } },
    );
    return { system, countRecords: () => testDb.database.db.$count(tasks) };
  });

  it('keeps every queue key under the hash-tagged prefix in one slot, on one master', async () => {
    const perNode = await Promise.all(
      cluster.ports.map(async (port) => {
        const node = createRedis(`redis://127.0.0.1:${port}`);
        try {
          return await node.keys(`${cluster.prefix}:*`);
        } finally {
          node.disconnect();
        }
      }),
    );
    const keys = perNode.flat();
    expect(keys.length).toBeGreaterThan(0);
    expect(perNode.filter((nodeKeys) => nodeKeys.length > 0)).toHaveLength(1);
    const slots = new Set(await Promise.all(keys.map((key) => cluster.redis.cluster('KEYSLOT', key))));
    expect(slots.size).toBe(1);
  });
});
