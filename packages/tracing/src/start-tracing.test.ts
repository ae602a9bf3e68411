import { tracingEnvSchema } from '@foreman/config';
import { startTracing } from './start-tracing.js';
import { tracingRequested } from './tracing-requested.js';

const requested = (env: Record<string, string>) => tracingRequested(tracingEnvSchema.parse(env));

describe('tracing switch', () => {
  it('is off unless an exporter or an OTLP endpoint is named', () => {
    expect(requested({})).toBe(false);
    expect(requested({ OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(requested({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(requested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(true);
    expect(
      requested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' }),
    ).toBe(false);
  });

  it('starts nothing when not asked', () => {
    expect(startTracing({ env: {} })).toBeUndefined();
  });
});
