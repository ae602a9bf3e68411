import type { AnyTaskImplementation, WorkerResources } from '@foreman/core/task';
import { mailboxAccess } from '@foreman/imap';
import type { MaintenanceEnv } from '../env.js';
import { cleanQueuesTask } from './clean-queues.js';
import { cleanupOldLogsTask } from './cleanup-old-logs.js';
import { enforceRetentionPolicyTask } from './enforce-retention-policy.js';
import { healthCheckTask } from './health-check.js';
import { cleanupExpiredTokensTask, rotateMailboxSecretsTask } from './mailbox-tokens.js';
import { monitorSystemHealthTask } from './monitor-system-health.js';
import { optimizeDatabaseTask } from './optimize-database.js';
import { updateAnalyticsTask } from './update-analytics.js';

export function maintenanceTasks(resources: WorkerResources, env: MaintenanceEnv): AnyTaskImplementation[] {
  const { redis, database } = resources;
  const prefix = env.QUEUE_PREFIX;
  const access = mailboxAccess(database.db, env);
  return [
    healthCheckTask(resources),
    monitorSystemHealthTask({
      redis,
      database,
      prefix,
      heartbeatMaxAgeMs: env.HEARTBEAT_MAX_AGE_MS,
      backlogWarn: env.QUEUE_BACKLOG_WARN,
    }),
    cleanupOldLogsTask({
      logDir: env.LOG_DIR,
      patterns: env.LOG_FILE_PATTERNS,
      retentionDays: env.LOG_RETENTION_DAYS,
    }),
    optimizeDatabaseTask({ database }),
    enforceRetentionPolicyTask({
      db: database.db,
      retentionDays: env.TASK_RETENTION_DAYS,
      batchSize: env.RETENTION_BATCH_SIZE,
      partitionWeeksAhead: env.HISTORY_PARTITION_WEEKS_AHEAD,
    }),
    cleanQueuesTask({
      redis,
      prefix,
      completedRetentionHours: env.QUEUE_COMPLETED_RETENTION_HOURS,
      failedRetentionHours: env.QUEUE_FAILED_RETENTION_HOURS,
    }),
    updateAnalyticsTask({ db: database.db, replyWindowDays: env.ANALYTICS_REPLY_WINDOW_DAYS }),
    cleanupExpiredTokensTask({
      db: database.db,
      access,
      refreshWithinMinutes: env.OAUTH_REFRESH_WITHIN_MINUTES,
    }),
    rotateMailboxSecretsTask({ access }),
  ];
}
