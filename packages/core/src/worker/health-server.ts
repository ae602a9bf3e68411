import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type HealthCheck = () => Promise<Record<string, unknown>>;

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Extra GET routes served beside /health, by exact path (e.g. /metrics). */
export type HealthRoutes = Record<string, RequestListener>;

/**
 * Serves GET /health: 200 with the check's report, or 503 with the error when a check throws, or
 * with the report when it says `status: 'unavailable'` (so a degraded service still shows its
 * figures).
 * Plain node:http keeps workers free of a web framework.
 */
export async function startHealthServer(
  port: number,
  check: HealthCheck,
  routes: HealthRoutes = {},
): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const route = request.method === 'GET' ? routes[request.url?.split('?')[0] ?? ''] : undefined;
    if (route) {
      route(request, response);
      return;
    }
    if (request.method !== 'GET' || (request.url !== '/health' && request.url !== '/healthz')) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    check().then(
      (report) => {
        response
          .writeHead(report.status === 'unavailable' ? 503 : 200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: 'ok', ...report }));
      },
      (error: Error) => {
        response
          .writeHead(503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: 'unavailable', error: error.message }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
