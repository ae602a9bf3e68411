export { startTracing, type Tracing, type TracingOptions } from './start-tracing.js';
export { tracingRequested } from './tracing-requested.js';
