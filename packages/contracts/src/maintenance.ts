import { declareSchedule, defineTask } from '@foreman/core/producer';
import { z } from 'zod';
import { QUEUES } from './queues.js';

export const healthCheck = defineTask({
  name: 'maintenance.health_check',
  queue: QUEUES.maintenance,
  description: 'Pings Redis and PostgreSQL and reports their round-trip latencies.',
  payload: z.object({}).strict(),
  result: z.object({ redisMs: z.number(), databaseMs: z.number(), checkedAt: z.string() }),
  retry: { attempts: 1 },
  timeoutMs: 30_000,
});

export const cleanupOldLogs = defineTask({
  name: 'maintenance.cleanup_old_logs',
  queue: QUEUES.maintenance,
  audience: 'system',
  description: 'Removes log files older than the retention period from the log directory.',
  payload: z
    .object({
      dryRun: z.boolean().default(false),
      olderThanDays: z.number().positive().max(3_650).optional(),
    })
    .strict(),
  result: z.object({
    dryRun: z.boolean(),
    directory: z.string(),
    removed: z.number().int(),
    bytes: z.number().int(),
    files: z.array(z.string()),
  }),
  retry: { attempts: 2 },
  timeoutMs: 10 * 60_000,
});

export const optimizeDatabase = defineTask({
  name: 'maintenance.optimize_database',
  queue: QUEUES.maintenance,
  audience: 'system',
  description: "VACUUM (ANALYZE) of each of the system's tables, reporting dead rows before and time taken.",
  payload: z.object({ analyzeOnly: z.boolean().default(false) }).strict(),
  result: z.object({
    operation: z.string(),
    tables: z.array(
      z.object({ table: z.string(), deadRowsBefore: z.number().int().nullable(), ms: z.number() }),
    ),
    errors: z.array(z.object({ id: z.string(), error: z.string() })),
  }),
  retry: { attempts: 2, delayMs: 60_000 },
  timeoutMs: 60 * 60_000,
});

export const enforceRetentionPolicy = defineTask({
  name: 'maintenance.enforce_retention_policy',
  queue: QUEUES.maintenance,
  audience: 'system',
  description:
    'Creates the weekly task history partitions ahead and drops the weeks older than the retention period; finished records outside them are deleted in small batches.',
  payload: z
    .object({
      olderThanDays: z.number().positive().max(36_500).optional(),
      batchSize: z.number().int().positive().max(50_000).optional(),
    })
    .strict(),
  result: z.object({
    cutoff: z.string(),
    /** Rows deleted one by one (from the DEFAULT partitions). */
    deleted: z.number().int(),
    batches: z.number().int(),
    createdPartitions: z.array(z.string()),
    droppedPartitions: z.array(z.string()),
    /** Rows of dropped partitions kept (unfinished tasks, dead letters not replayed). */
    kept: z.number().int(),
  }),
  retry: { attempts: 3, delayMs: 60_000 },
  timeoutMs: 60 * 60_000,
});

export const cleanQueues = defineTask({
  name: 'maintenance.clean_queues',
  queue: QUEUES.maintenance,
  audience: 'system',
  description:
    'Removes old completed and failed jobs from every queue in Redis (the records stay in PostgreSQL).',
  payload: z
    .object({
      completedOlderThanHours: z.number().nonnegative().max(8_760).optional(),
      failedOlderThanHours: z.number().nonnegative().max(8_760).optional(),
    })
    .strict(),
  result: z.object({
    queues: z.array(z.object({ queue: z.string(), completed: z.number().int(), failed: z.number().int() })),
  }),
  retry: { attempts: 3 },
  timeoutMs: 30 * 60_000,
});

export const monitorSystemHealth = defineTask({
  name: 'maintenance.monitor_system_health',
  queue: QUEUES.maintenance,
  audience: 'system',
  description:
    "Checks Redis, PostgreSQL, each queue's backlog and the workers' heartbeats; reports every problem.",
  payload: z.object({}).strict(),
  result: z.object({
    healthy: z.boolean(),
    redisMs: z.number().nullable(),
    databaseMs: z.number().nullable(),
    queues: z.array(
      z.object({
        queue: z.string(),
        workers: z.number().int(),
        waiting: z.number().int(),
        active: z.number().int(),
        delayed: z.number().int(),
        failed: z.number().int(),
      }),
    ),
    problems: z.array(z.string()),
    checkedAt: z.string(),
  }),
  retry: { attempts: 1 },
  timeoutMs: 60_000,
});

export const schedules = [
  declareSchedule({
    id: 'maintenance.health_check.every-5m',
    task: healthCheck,
    payload: {},
    everyMs: 5 * 60_000,
    description: 'Checks Redis and PostgreSQL from the workers every five minutes',
    // A check of a moment long past tells nothing: after an outage, wait for the next one.
    misfirePolicy: 'skip',
  }),
  declareSchedule({
    id: 'maintenance.monitor_system_health.every-5m',
    task: monitorSystemHealth,
    payload: {},
    everyMs: 5 * 60_000,
    description: 'Checks Redis, PostgreSQL, queues and worker heartbeats every five minutes',
  }),
  declareSchedule({
    id: 'maintenance.cleanup_old_logs.daily-0300',
    task: cleanupOldLogs,
    payload: {},
    cron: '0 3 * * *',
    description: 'Removes old log files at 03:00 UTC',
  }),
  declareSchedule({
    id: 'maintenance.enforce_retention_policy.daily-0330',
    task: enforceRetentionPolicy,
    payload: {},
    cron: '30 3 * * *',
    description: 'Creates history partitions ahead and drops expired ones at 03:30 UTC',
  }),
  declareSchedule({
    id: 'maintenance.clean_queues.hourly',
    task: cleanQueues,
    payload: {},
    cron: '15 * * * *',
    description: 'Trims finished jobs from the queues every hour',
  }),
  declareSchedule({
    id: 'maintenance.optimize_database.weekly',
    task: optimizeDatabase,
    payload: {},
    cron: '0 5 * * 0',
    description: 'VACUUM (ANALYZE) on Sundays at 05:00 UTC',
  }),
];
