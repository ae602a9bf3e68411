import { baseEnvSchema, loadConfig, mailboxEnvSchema, positiveInt } from '@foreman/config';
import { z } from 'zod';

export const maintenanceEnvSchema = mailboxEnvSchema.extend({
  QUEUE_PREFIX: baseEnvSchema.shape.QUEUE_PREFIX,
  /** Directory whose old log files cleanup_old_logs removes. */
  LOG_DIR: z.string().min(1).default('.data/logs'),
  LOG_FILE_PATTERNS: z
    .string()
    .default('*.log,*.log.*,*.log.gz')
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  LOG_RETENTION_DAYS: positiveInt(14),
  /**
   * Finished task records (and replayed dead letters) older than this go: enforce_retention_policy
   * drops the weekly partitions wholly older, and deletes such rows of the DEFAULT partitions.
   */
  TASK_RETENTION_DAYS: positiveInt(90),
  RETENTION_BATCH_SIZE: positiveInt(1_000),
  /** Weekly history partitions enforce_retention_policy keeps created ahead of the current week. */
  HISTORY_PARTITION_WEEKS_AHEAD: positiveInt(4),
  QUEUE_COMPLETED_RETENTION_HOURS: positiveInt(24),
  QUEUE_FAILED_RETENTION_HOURS: positiveInt(7 * 24),
  /** A worker whose last heartbeat is older than this counts as gone. */
  HEARTBEAT_MAX_AGE_MS: positiveInt(30_000),
  /** Waiting jobs above which a queue is reported as backed up. */
  QUEUE_BACKLOG_WARN: positiveInt(10_000),
  /** update_analytics counts a Sent-folder message as a reply if sent within this many days. */
  ANALYTICS_REPLY_WINDOW_DAYS: positiveInt(7),
  /** cleanup_expired_tokens refreshes OAuth mailbox tokens expiring within this many minutes. */
  OAUTH_REFRESH_WITHIN_MINUTES: positiveInt(15),
});

export type MaintenanceEnv = z.output<typeof maintenanceEnvSchema>;

export const loadMaintenanceEnv = () => loadConfig(maintenanceEnvSchema);
