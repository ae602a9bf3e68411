import { type Env, loadConfig, tracingEnvSchema } from '@foreman/config';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { tracingRequested } from './tracing-requested.js';

export interface TracingOptions {
  /** service.name of every span, unless OTEL_SERVICE_NAME says otherwise. */
  service?: string;
  env?: Env;
  /** Where spans go instead of the exporter the environment names (tests: an in-memory one). */
  spanProcessors?: SpanProcessor[];
  /** Instead of the defaults: outgoing and incoming HTTP (node:http and fetch) and pg. */
  instrumentations?: Instrumentation[];
}

export interface Tracing {
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry Node SDK (global tracer provider, W3C trace-context propagation,
 * AsyncLocalStorage context) when the environment asks for it or span processors are given;
 * otherwise returns undefined and every span in the code stays a no-op.
 */
export function startTracing(options: TracingOptions = {}): Tracing | undefined {
  const env = loadConfig(tracingEnvSchema, options.env);
  if (!options.spanProcessors && !tracingRequested(env)) return undefined;
  const serviceName =
    env.OTEL_SERVICE_NAME ?? options.service ?? env.npm_package_name?.replace(/^@foreman\//, '');
  const sdk = new NodeSDK({
    ...(serviceName ? { serviceName } : {}),
    ...(options.spanProcessors ? { spanProcessors: options.spanProcessors } : {}),
    instrumentations: options.instrumentations ?? [
      new HttpInstrumentation(),
      new UndiciInstrumentation(),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
    // Traces only: metrics go through @foreman/metrics' Prometheus endpoint.
    metricReaders: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
