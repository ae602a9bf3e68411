import { baseEnvSchema, loadConfig, port } from '@foreman/config';

export const beatEnvSchema = baseEnvSchema.extend({
  HEALTH_PORT: port(3106),
});

export const loadBeatEnv = () => loadConfig(beatEnvSchema);
