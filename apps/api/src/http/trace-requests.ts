import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';

// Scrapes and probes every few seconds would bury the traces that matter.
const UNTRACED = /^\/(metrics|health)(\/|$)/;

/**
 * One server span per request, named by its route and parented by an incoming W3C traceparent;
 * tasks submitted while handling it carry its context into their jobs. A no-op unless the app
 * started tracing.
 */
export function traceRequests(): MiddlewareHandler {
  const tracer = trace.getTracer('@foreman/api');
  return async (c, next) => {
    if (UNTRACED.test(c.req.path)) return next();
    const parent = propagation.extract(context.active(), c.req.header());
    const route = routePath(c, -1);
    await tracer.startActiveSpan(
      `${c.req.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': c.req.method, 'http.route': route, 'url.path': c.req.path },
      },
      parent,
      async (span) => {
        try {
          await next();
          span.setAttribute('http.response.status_code', c.res.status);
          if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        } finally {
          span.end();
        }
      },
    );
  };
}
