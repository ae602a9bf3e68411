import { baseEnvSchema, loadConfig, port, positiveInt } from '@foreman/config';

export const apiEnvSchema = baseEnvSchema.extend({
  PORT: port(3000),
  /** Largest request body accepted, in bytes; larger bodies get 413. */
  MAX_BODY_BYTES: positiveInt(1024 * 1024),
});

export const loadApiEnv = () => loadConfig(apiEnvSchema);
