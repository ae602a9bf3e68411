import { AlertManager, createChannels } from '@foreman/alerting';
import { createRegistry } from '@foreman/contracts';
import { FairScheduler, rowOwnerLookup, TaskClient } from '@foreman/core';
import { createLogger } from '@foreman/logger';
import { QueueAdvisor, ServiceMetrics } from '@foreman/metrics';
import { startTestApi, type TestApi } from './test-api.js';

/**
 * The api with every optional part on (metrics, advisor, alerts, fair queues), so its OpenAPI
 * document lists every route a deployment can serve.
 */
export async function startFullTestApi(label: string): Promise<TestApi> {
  let fairClient: TaskClient | undefined;
  const api = await startTestApi(label, (redis, testDb) => {
    const logger = createLogger('api', { level: 'silent' });
    const db = testDb.database.db;
    const queues = ['maintenance'];
    const fairness = new FairScheduler({
      connection: redis.redis,
      prefix: redis.prefix,
      settings: { email: { readyWindow: 2 } },
    });
    fairClient = new TaskClient({
      registry: createRegistry(),
      connection: redis.redis,
      prefix: redis.prefix,
      rowOwner: rowOwnerLookup(db),
      fairness,
    });
    return {
      client: fairClient,
      metrics: new ServiceMetrics({
        service: 'api',
        queues: { connection: redis.redis, prefix: redis.prefix, names: queues, db },
      }),
      advisor: new QueueAdvisor({ db, redis: redis.redis, prefix: redis.prefix, queues }),
      alerts: new AlertManager({
        db,
        redis: redis.redis,
        prefix: redis.prefix,
        logger,
        channels: createChannels({}, logger),
      }),
    };
  });
  return {
    ...api,
    async close() {
      await fairClient?.close();
      await api.close();
    },
  };
}
