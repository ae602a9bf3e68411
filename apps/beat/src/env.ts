import { baseEnvSchema, loadConfig, port, positiveInt, submitQuotaEnvSchema } from '@foreman/config';
import { z } from 'zod';

export const beatEnvSchema = baseEnvSchema.extend(submitQuotaEnvSchema.shape).extend({
  HEALTH_PORT: port(3106),
  /** How often beat looks for schedules with a due occurrence. */
  SCHEDULE_TICK_MS: positiveInt(250),
  /** An occurrence older than this when beat handles it was missed: its misfire policy decides. */
  SCHEDULE_MISFIRE_GRACE_MS: positiveInt(5_000),
  /** How often beat's workflow orchestrator looks for finished nodes. */
  WORKFLOW_POLL_MS: positiveInt(250),
  /** JSON file of alert channels and rules (the api reads the same file to validate rules). */
  ALERT_RULES_FILE: z.string().min(1).optional(),
  /** How often the rules are evaluated, once per interval across all beat replicas. */
  ALERT_INTERVAL_MS: positiveInt(30_000),
  /** Wait after a final task failure before the evaluation it triggers (folds bursts into one). */
  ALERT_EVENT_DELAY_MS: positiveInt(1_000),
  /** off: this beat never evaluates alert rules. */
  ALERT_EVALUATION: z.enum(['on', 'off']).default('on'),
});

export type BeatEnv = z.output<typeof beatEnvSchema>;

export const loadBeatEnv = (env?: Record<string, string | undefined>) => loadConfig(beatEnvSchema, env);
