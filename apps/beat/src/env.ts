import { baseEnvSchema, loadConfig, port, positiveInt } from '@foreman/config';
import type { z } from 'zod';

export const beatEnvSchema = baseEnvSchema.extend({
  HEALTH_PORT: port(3106),
  /** How often beat re-checks that Redis's job schedulers match the schedules table. */
  SCHEDULE_SYNC_MS: positiveInt(30_000),
  /** How often beat's workflow orchestrator looks for finished nodes. */
  WORKFLOW_POLL_MS: positiveInt(250),
});

export type BeatEnv = z.output<typeof beatEnvSchema>;

export const loadBeatEnv = (env?: Record<string, string | undefined>) => loadConfig(beatEnvSchema, env);
