import { AlertManager, createChannels } from '@foreman/alerting';
import { createLogger } from '@foreman/logger';
import { QueueAdvisor, ServiceMetrics } from '@foreman/metrics';
import { startTestApi, type TestApi } from './test-api.js';

/**
 * The api with every optional part on (metrics, advisor, alerts, fair queues), so its OpenAPI
 * document lists every route a deployment can serve.
 */
export function startFullTestApi(label: string): Promise<TestApi> {
  return startTestApi(
    label,
    (redis, testDb) => {
      const logger = createLogger('api', { level: 'silent' });
      const db = testDb.database.db;
      const queues = ['maintenance'];
      return {
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
    },
    { env: { FAIRNESS: JSON.stringify({ email: { readyWindow: 2 } }) } },
  );
}
