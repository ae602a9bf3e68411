import type { TaskClient } from '@foreman/core';
import type { Database } from '@foreman/db';
import type { Logger } from '@foreman/logger';
import type { ServiceMetrics } from '@foreman/metrics';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Redis } from 'ioredis';
import { ApiError } from './http/api-error.js';
import { errorHandler } from './http/error-handler.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { taskTypeRoutes } from './routes/task-types.js';
import { taskRoutes } from './routes/tasks.js';

export interface AppDependencies {
  client: TaskClient;
  database: Database;
  redis: Redis;
  logger: Logger;
  maxBodyBytes: number;
  /** Serves /metrics and the summaries when given. */
  metrics?: ServiceMetrics;
}

export function createApp(deps: AppDependencies) {
  const app = new Hono();
  if (deps.metrics) app.route('/metrics', metricsRoutes({ metrics: deps.metrics, database: deps.database }));
  return app
    .use(
      bodyLimit({
        maxSize: deps.maxBodyBytes,
        onError: (c) =>
          c.json(
            new ApiError(413, 'BODY_TOO_LARGE', `Request body exceeds ${deps.maxBodyBytes} bytes`).toBody(),
            413,
          ),
      }),
    )
    .route('/health', healthRoutes(deps))
    .route('/task-types', taskTypeRoutes({ registry: deps.client.registry }))
    .route('/tasks', taskRoutes(deps))
    .notFound((c) =>
      c.json(new ApiError(404, 'ROUTE_NOT_FOUND', `No route ${c.req.method} ${c.req.path}`).toBody(), 404),
    )
    .onError(errorHandler(deps.logger));
}
