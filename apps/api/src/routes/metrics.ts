import type { Database } from '@foreman/db';
import {
  PROMETHEUS_CONTENT_TYPE,
  type ServiceMetrics,
  summariesToCsv,
  TaskRecordStats,
} from '@foreman/metrics';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/api-env.js';
import { ApiError } from '../http/api-error.js';
import { requireAdmin } from '../middleware/require-admin/index.js';
import { commonErrors, forbidden } from '../schemas/error.js';
import { jsonResponse } from '../schemas/json-response.js';
import { queueDepthSchema, summariesSchema, summaryQuery } from '../schemas/metrics.js';

/**
 * GET /metrics (Prometheus), GET /metrics/summary (percentiles per task type over `windowMs`, JSON
 * or `format=csv`: of the key's user's tasks, admins the whole deployment's), GET /metrics/queues
 * (depth per queue and state, admin: it counts every user's tasks).
 */
export function metricsRoutes({ metrics, database }: { metrics?: ServiceMetrics; database: Database }) {
  const stats = new TaskRecordStats(database.db);
  // The summaries come from the task records; the scrape and the depths need the instruments.
  const enabled = () => {
    if (!metrics) throw new ApiError('METRICS_DISABLED', 'Metrics are off here (METRICS_ENABLED=false)');
    return metrics;
  };
  const app = new OpenAPIHono<ApiEnv>();
  // Documented through the registry; the handlers answer text and CSV as well as JSON.
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/',
    tags: ['metrics'],
    summary: 'Prometheus scrape of this api process (no key needed)',
    security: [],
    responses: {
      200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } },
    },
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/summary',
    tags: ['metrics'],
    summary: 'Counts, failure rate and p50/p90/p95/p99 of run and wait time per task type',
    request: { query: summaryQuery },
    responses: {
      200: {
        description: "Summaries over the window: the key's user's tasks (admin keys: every task)",
        content: {
          'application/json': { schema: summariesSchema },
          'text/csv': { schema: z.string() },
        },
      },
      ...commonErrors,
    },
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/queues',
    tags: ['metrics'],
    summary: 'Jobs per queue and state, and unreplayed dead letters (admin)',
    responses: {
      200: jsonResponse(z.object({ queues: z.array(queueDepthSchema) }), 'Depths'),
      403: forbidden,
      ...commonErrors,
    },
  });
  return app
    .get('/', async (c) =>
      c.body(await enabled().registry.scrape(), 200, { 'content-type': PROMETHEUS_CONTENT_TYPE }),
    )
    .get('/summary', async (c) => {
      const query = summaryQuery.safeParse(c.req.query());
      if (!query.success) {
        throw new ApiError(
          'QUERY_INVALID',
          'Invalid query',
          query.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
        );
      }
      const identity = c.get('identity');
      const summaries = await stats.summaries(
        query.data.windowMs,
        identity.admin ? undefined : identity.userId,
      );
      if (query.data.format === 'csv') {
        return c.body(summariesToCsv(summaries), 200, { 'content-type': 'text/csv; charset=utf-8' });
      }
      return c.json({
        generatedAt: new Date().toISOString(),
        windowMs: query.data.windowMs,
        tasks: summaries,
      });
    })
    .get('/queues', requireAdmin(), async (c) =>
      c.json({ queues: (await enabled().queues?.depths()) ?? [] }),
    );
}
