import { baseEnvSchema, loadConfig, port, positiveInt, submitQuotaEnvSchema } from '@foreman/config';
import type { z } from 'zod';

export const beatEnvSchema = baseEnvSchema.extend(submitQuotaEnvSchema.shape).extend({
  HEALTH_PORT: port(3106),
  /** How often beat looks for schedules with a due occurrence. */
  SCHEDULE_TICK_MS: positiveInt(250),
  /** An occurrence older than this when beat handles it was missed: its misfire policy decides. */
  SCHEDULE_MISFIRE_GRACE_MS: positiveInt(5_000),
  /** How often beat's workflow orchestrator looks for finished nodes. */
  WORKFLOW_POLL_MS: positiveInt(250),
});

export type BeatEnv = z.output<typeof beatEnvSchema>;

export const loadBeatEnv = (env?: Record<string, string | undefined>) => loadConfig(beatEnvSchema, env);
