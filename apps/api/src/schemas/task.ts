import { MAX_PRIORITY } from '@foreman/core/task';
import { APPROVAL_DECISIONS, TASK_STATUSES } from '@foreman/db';
import { z } from '@hono/zod-openapi';

export const taskStatusSchema = z.enum(TASK_STATUSES).openapi('TaskStatus');

export const taskRecordSchema = z
  .object({
    id: z.string(),
    name: z.string().openapi({ example: 'maintenance.health_check' }),
    queue: z.string(),
    userId: z.string().nullable(),
    status: taskStatusSchema,
    priority: z.number().int(),
    payload: z.unknown(),
    result: z.unknown(),
    error: z
      .string()
      .nullable()
      .openapi({ description: 'For non-admin keys, server file paths are cut to their last part' }),
    stackTrace: z.string().nullable().openapi({ description: 'Admin keys only (null for others)' }),
    attempts: z.number().int(),
    maxRetries: z.number().int(),
    createdAt: z.string().datetime(),
    startedAt: z.string().datetime().nullable(),
    completedAt: z.string().datetime().nullable(),
    durationMs: z.number().int().nullable(),
    waitMs: z.number().int().nullable(),
    traceId: z.string().nullable(),
    progress: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Last progress the handler reported, 0..100' }),
    progressMessage: z.string().nullable(),
    replayOf: z
      .string()
      .nullable()
      .openapi({ description: 'For a replayed dead letter: the task it replays' }),
  })
  .openapi('Task');

export const submittedSchema = z
  .object({
    taskId: z.string(),
    name: z.string(),
    queue: z.string(),
    status: z.literal('pending'),
    deduplicated: z.boolean().optional().openapi({
      description:
        'True when no task was made: the answer is the one this submit joined (idempotency key, debounce, singleton)',
    }),
  })
  .openapi('SubmittedTask');

export const cancelResultSchema = z
  .object({
    taskId: z.string(),
    status: z.enum(['cancelled', 'cancelling']),
    was: z.string().openapi({ description: 'The queue state the task was in' }),
  })
  .openapi('CancelResult');

const userIdSchema = z.string().min(1).max(200);

/** Options of a submit; `userId` is honoured for admin keys only (others submit as their own user). */
export const submitOptionsSchema = z.object({
  userId: userIdSchema.optional().openapi({ description: 'Admin keys only: submit on behalf of this user' }),
  priority: z.coerce.number().int().min(0).max(MAX_PRIORITY).optional(),
  delayMs: z.coerce
    .number()
    .int()
    .min(0)
    .max(365 * 24 * 3_600_000)
    .optional(),
});

/** A payload path such as `mailboxId` or `account.id`: the flow key is its value. */
const flowKeyPath = z
  .string()
  .regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, 'a dotted path into the payload, e.g. account.id');
const windowMs = z.coerce
  .number()
  .int()
  .min(1)
  .max(24 * 3_600_000);

export const debounceSchema = z
  .object({ key: flowKeyPath, windowMs, maxWaitMs: windowMs.optional() })
  .strict()
  .openapi('Debounce', {
    description: 'Submits with the same key collapse into one run with the latest payload',
  });

export const singletonSchema = z
  .object({ key: flowKeyPath, mode: z.enum(['return', 'replace']).optional() })
  .strict()
  .openapi('Singleton', { description: 'At most one queued-or-running task per key' });

const linkedTaskSchema = z
  .object({
    name: z.string().min(1),
    payload: z.record(z.string(), z.unknown()).default({}),
    priority: submitOptionsSchema.shape.priority,
    delayMs: submitOptionsSchema.shape.delayMs,
  })
  .strict()
  .openapi('LinkedTask');

/** What a task does when it ends: linked tasks and a webhook (see docs/flow-control.md). */
export const completionOptionsSchema = z.object({
  link: z
    .array(linkedTaskSchema)
    .max(20)
    .optional()
    .openapi({ description: 'Submitted when the task completes' }),
  linkError: z
    .array(linkedTaskSchema)
    .max(20)
    .optional()
    .openapi({ description: 'Submitted when the task fails for good or is cancelled' }),
  webhook: z.string().max(2_000).optional().openapi({
    description: 'Gets a signed POST when the task ends; its host must be on WEBHOOK_ALLOWED_HOSTS',
  }),
});

/** The flat query form of a single submit's flow options (links need a body: use POST /tasks). */
export const flowQuerySchema = z.object({
  debounceKey: flowKeyPath.optional(),
  debounceWindowMs: windowMs.optional(),
  debounceMaxWaitMs: windowMs.optional(),
  singletonKey: flowKeyPath.optional(),
  singletonMode: singletonSchema.shape.mode,
  webhook: completionOptionsSchema.shape.webhook,
});

export const bulkSubmitSchema = z
  .object({
    tasks: z
      .array(
        z
          .object({
            name: z.string().min(1),
            payload: z.record(z.string(), z.unknown()).default({}),
            priority: submitOptionsSchema.shape.priority,
            delayMs: submitOptionsSchema.shape.delayMs,
            debounce: debounceSchema.optional().openapi({ description: 'Only in a request of one task' }),
            singleton: singletonSchema.optional().openapi({ description: 'Only in a request of one task' }),
            ...completionOptionsSchema.shape,
          })
          .strict(),
      )
      .min(1)
      .max(1_000),
    userId: submitOptionsSchema.shape.userId,
  })
  .strict()
  .openapi('BulkSubmit');

/** For routes that take no query parameters: an unknown one is a 400, not silently ignored. */
export const noQuery = z.object({}).strict();

export const MAX_PAGE = 200;

export const listQuerySchema = z
  .object({
    status: taskStatusSchema.optional(),
    name: z.string().min(1).max(200).optional(),
    queue: z.string().min(1).max(100).optional(),
    userId: userIdSchema.optional().openapi({ description: 'Admin keys only; others always see their own' }),
    from: z.string().datetime({ offset: true }).optional().openapi({ description: 'Created at or after' }),
    to: z.string().datetime({ offset: true }).optional().openapi({ description: 'Created before' }),
    cursor: z.string().max(500).optional().openapi({ description: '`nextCursor` of the previous page' }),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
    q: z.string().min(1).max(500).optional().openapi({
      description:
        'Free text: tasks with every word in their id, name, error or a string value of the payload or result (`"a phrase"`, `-word` to exclude)',
    }),
    error: z.string().min(1).max(500).optional().openapi({
      description: 'Tasks whose error has every word of this (same syntax as `q`)',
    }),
  })
  // The other parameters are `payload.<field>...` filters (see the list routes), checked by the service.
  .catchall(z.string().max(1000));

export const taskPageSchema = z
  .object({ tasks: z.array(taskRecordSchema), nextCursor: z.string().nullable() })
  .openapi('TaskPage');

// Room for a user schedule's run ids: a 200-character schedule id, its owner's tag and the occurrence.
export const taskIdParams = z.object({ id: z.string().min(1).max(256) });

/** The answer to a task's `wait_for_approval` step, with the token the task's record showed. */
export const signalSchema = z
  .object({
    token: z.string().min(1).max(200),
    decision: z.enum(APPROVAL_DECISIONS),
    comment: z.string().max(2_000).optional(),
  })
  .strict()
  .openapi('Signal');

export const signalledSchema = z
  .object({
    taskId: z.string(),
    decision: z.enum(APPROVAL_DECISIONS),
    comment: z.string().nullable(),
    decidedAt: z.string(),
  })
  .openapi('Signalled');
