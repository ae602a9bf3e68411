/**
 * Preload for apps: `node --import @foreman/tracing/register dist/main.js`. When the OTEL_*
 * variables ask for tracing, it hooks ES module loading (so pg and http are instrumented) and
 * starts the SDK before the app's modules load; otherwise it does nothing at all.
 */
import { register } from 'node:module';
import { loadConfig, tracingEnvSchema } from '@foreman/config';
import { tracingRequested } from './tracing-requested.js';

if (tracingRequested(loadConfig(tracingEnvSchema))) {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  // Loaded only when asked for: with tracing off, the SDK never enters the process.
  const { startTracing } = await import('./start-tracing.js');
  const tracing = startTracing();
  // Flush buffered spans when the app exits by itself or on a signal.
  process.once('beforeExit', () => void tracing?.shutdown());
}
