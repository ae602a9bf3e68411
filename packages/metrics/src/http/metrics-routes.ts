import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { summariesToCsv, summariesToJson } from '../export/summaries-export.js';
import { type MetricsRegistry, PROMETHEUS_CONTENT_TYPE } from '../metrics-registry.js';
import type { TaskTypeSummary } from '../task/task-type-summary.js';

/** node:http handlers for /metrics (Prometheus) and the summaries as JSON and CSV. */
export function metricsRoutes(
  registry: MetricsRegistry,
  summaries: () => TaskTypeSummary[] | Promise<TaskTypeSummary[]>,
): Record<string, RequestListener> {
  const reply =
    (produce: () => Promise<string>, contentType: string): RequestListener =>
    (_request: IncomingMessage, response: ServerResponse) => {
      produce().then(
        (body) => response.writeHead(200, { 'content-type': contentType }).end(body),
        (error: Error) =>
          response
            .writeHead(500, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: { code: 'METRICS_FAILED', message: error.message } })),
      );
    };
  return {
    '/metrics': reply(() => registry.scrape(), PROMETHEUS_CONTENT_TYPE),
    '/metrics/summary': reply(async () => summariesToJson(await summaries()), 'application/json'),
    '/metrics/summary.csv': reply(async () => summariesToCsv(await summaries()), 'text/csv; charset=utf-8'),
  };
}
