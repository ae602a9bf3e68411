import { z } from '@hono/zod-openapi';

const percentiles = z
  .object({
    count: z.number(),
    mean: z.number(),
    min: z.number(),
    max: z.number(),
    p50: z.number(),
    p90: z.number(),
    p95: z.number(),
    p99: z.number(),
  })
  .openapi('Percentiles');

export const taskTypeSummarySchema = z
  .object({
    task: z.string(),
    queue: z.string(),
    windowMs: z.number(),
    completed: z.number(),
    failed: z.number(),
    retried: z.number(),
    failureRate: z.number().openapi({ description: 'Final failures over finished tasks, 0..1' }),
    durationMs: percentiles,
    waitMs: percentiles,
    cpuMs: z.number().openapi({ description: 'Mean CPU time of the process per attempt' }),
    memoryDeltaBytes: z.number().openapi({ description: 'Mean change of the process heap per attempt' }),
  })
  .openapi('TaskTypeSummary');

export const summaryQuery = z.object({
  windowMs: z.coerce
    .number()
    .int()
    .positive()
    .max(7 * 24 * 3_600_000)
    .default(5 * 60_000)
    .openapi({ description: 'Window the summaries cover, ms (default 5 minutes, at most 7 days)' }),
  format: z.enum(['json', 'csv']).default('json'),
});

export const summariesSchema = z
  .object({ generatedAt: z.string(), windowMs: z.number(), tasks: z.array(taskTypeSummarySchema) })
  .openapi('TaskTypeSummaries');

export const queueDepthSchema = z
  .object({
    queue: z.string(),
    waiting: z.number(),
    prioritized: z.number(),
    delayed: z.number(),
    active: z.number(),
    failed: z.number().openapi({ description: "BullMQ's failed set" }),
    deadLetters: z.number().openapi({ description: 'Dead letters of the queue not yet replayed' }),
  })
  .openapi('QueueDepth');

const forecast = z.object({
  points: z.number(),
  slopePerSecond: z.number(),
  value: z.number(),
  lower: z.number(),
  upper: z.number(),
  confidence: z.number(),
  horizonMs: z.number(),
});

export const advisorReportSchema = z
  .object({
    generatedAt: z.string(),
    bottleneck: z.object({ queue: z.string(), reason: z.string() }).nullable(),
    queues: z.array(
      z
        .object({
          queue: z.string(),
          windowMs: z.number(),
          arrivalRatePerSecond: z.number(),
          throughputPerSecond: z.number(),
          meanServiceMs: z.number(),
          workers: z.object({ replicas: z.number(), concurrency: z.number(), slots: z.number() }),
          utilization: z.number().nullable(),
          backlog: z.number(),
          suggestion: z.object({
            targetUtilization: z.number(),
            slots: z.number(),
            replicas: z.number(),
            concurrencyPerReplica: z.number(),
            reason: z.string(),
          }),
          forecast: forecast.openapi({ description: 'Backlog expected horizonMs from now, 95% interval' }),
        })
        .openapi('QueueAdvice'),
    ),
  })
  .openapi('AdvisorReport');
