import type { Database } from '@foreman/db';
import {
  PROMETHEUS_CONTENT_TYPE,
  type ServiceMetrics,
  summariesToCsv,
  TaskRecordStats,
} from '@foreman/metrics';
import { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../http/api-error.js';

const summaryQuery = z.object({
  windowMs: z.coerce
    .number()
    .int()
    .positive()
    .max(7 * 24 * 3_600_000)
    .default(5 * 60_000),
  format: z.enum(['json', 'csv']).default('json'),
});

/**
 * GET /metrics (Prometheus), GET /metrics/summary (deployment-wide percentiles per task type over
 * `windowMs`, JSON or `format=csv`), GET /metrics/queues (depth per queue and state).
 */
export function metricsRoutes({ metrics, database }: { metrics: ServiceMetrics; database: Database }) {
  const stats = new TaskRecordStats(database.db);
  return new Hono()
    .get('/', async (c) =>
      c.body(await metrics.registry.scrape(), 200, { 'content-type': PROMETHEUS_CONTENT_TYPE }),
    )
    .get('/summary', async (c) => {
      const query = summaryQuery.safeParse(c.req.query());
      if (!query.success) {
        throw new ApiError(
          400,
          'QUERY_INVALID',
          'Invalid query',
          query.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
        );
      }
      const summaries = await stats.summaries(query.data.windowMs);
      if (query.data.format === 'csv') {
        return c.body(summariesToCsv(summaries), 200, { 'content-type': 'text/csv; charset=utf-8' });
      }
      return c.json({
        generatedAt: new Date().toISOString(),
        windowMs: query.data.windowMs,
        tasks: summaries,
      });
    })
    .get('/queues', async (c) => c.json({ queues: (await metrics.queues?.depths()) ?? [] }));
}
