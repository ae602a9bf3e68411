import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The process's own figures: in memory only, so they answer while every dependency is away. */
export type HealthReport = () => Record<string, unknown>;

/** One dependency check; resolves to its round-trip time in milliseconds. */
export type DependencyCheck = () => Promise<number>;

export interface HealthChecks {
  /** What both /health and /ready report about the process. */
  report: HealthReport;
  /** Checked by /ready only, each within `timeoutMs`, e.g. `{ redis, database }`. */
  dependencies: Record<string, DependencyCheck>;
  /**
   * Longest wait for one dependency before /ready counts it as down.
   * @defaultValue 2000
   */
  timeoutMs?: number;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Extra GET routes served beside /health and /ready, by exact path (e.g. /metrics). */
export type HealthRoutes = Record<string, RequestListener>;

export const DEFAULT_HEALTH_CHECK_TIMEOUT_MS = 2_000;

/** `{ ok, ms }` or `{ ok: false, error }` within `timeoutMs`: a stalled server never holds a probe. */
export async function checkWithin(
  check: DependencyCheck,
  timeoutMs: number,
): Promise<{ ok: boolean; ms?: number; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return { ok: true, ms: await Promise.race([check(), timeout]) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Serves GET /health (liveness, also /healthz): 200 with the report as long as the process answers;
 * no dependency is asked, so an outage of PostgreSQL or Redis never gets a healthy process
 * restarted. GET /ready (readiness): the report with each dependency's check, 503 when one fails
 * or does not answer within the timeout.
 * Plain node:http keeps workers free of a web framework.
 */
export async function startHealthServer(
  port: number,
  checks: HealthChecks,
  routes: HealthRoutes = {},
): Promise<HealthServer> {
  const timeoutMs = checks.timeoutMs ?? DEFAULT_HEALTH_CHECK_TIMEOUT_MS;
  const send = (response: Parameters<RequestListener>[1], status: number, body: unknown) =>
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const server: Server = createServer((request, response) => {
    const path = request.url?.split('?')[0] ?? '';
    const route = request.method === 'GET' ? routes[path] : undefined;
    if (route) {
      route(request, response);
      return;
    }
    if (request.method === 'GET' && (path === '/health' || path === '/healthz')) {
      send(response, 200, { status: 'ok', ...checks.report() });
      return;
    }
    if (request.method === 'GET' && path === '/ready') {
      const names = Object.keys(checks.dependencies);
      void Promise.all(names.map((name) => checkWithin(checks.dependencies[name]!, timeoutMs))).then(
        (results) => {
          const ok = results.every((result) => result.ok);
          send(response, ok ? 200 : 503, {
            status: ok ? 'ok' : 'unavailable',
            ...checks.report(),
            ...Object.fromEntries(names.map((name, index) => [name, results[index]])),
          });
        },
      );
      return;
    }
    send(response, 404, { error: 'not found' });
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
