import { allSchedules as declaredSchedules } from '@foreman/contracts';
import { createRedis, startHealthServer } from '@foreman/core';
import { createLogger } from '@foreman/logger';
import { metricsRoutes, ServiceMetrics } from '@foreman/metrics';
import { loadBeatEnv } from './env.js';
import { applySchedules } from './schedules/apply-schedules.js';

const env = loadBeatEnv();
const logger = createLogger('beat', { level: env.LOG_LEVEL });
const redis = createRedis(env.REDIS_URL);
await applySchedules(declaredSchedules, { connection: redis, prefix: env.QUEUE_PREFIX });
const metrics = new ServiceMetrics({ service: 'beat', diskPath: env.DATA_DIR });
const health = await startHealthServer(
  env.HEALTH_PORT,
  async () => ({
    service: 'beat',
    schedules: declaredSchedules.length,
    redisMs: await (async () => {
      const started = performance.now();
      await redis.ping();
      return performance.now() - started;
    })(),
  }),
  // Beat runs no tasks: its summaries are empty, its process and host metrics are not.
  metricsRoutes(metrics.registry, () => []),
);
logger.info(
  { schedules: declaredSchedules.map((schedule) => schedule.id), healthPort: health.port },
  'beat started',
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void health.close().then(async () => {
      await metrics.close();
      await redis.quit();
      process.exit(0);
    });
  });
}
