import { type TaskClient, TaskError } from '@foreman/core/producer';
import { and, type Database, gte, isNotNull, sql, tasks } from '@foreman/db';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/api-env.js';
import { ApiError } from '../http/api-error.js';
import { validationHook } from '../http/validation-hook.js';
import { requireAdmin } from '../middleware/require-admin/index.js';
import { commonErrors, forbidden, notFound } from '../schemas/error.js';

const tags = ['queues'];
const RATE_WINDOW_MS = 5 * 60_000;
const STATES = ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'] as const;

/** Rows of busiest and paused keys per queue unless the request says otherwise. */
const DEFAULT_KEY_ROWS = 10;
const flowSchema = z
  .object({
    keysWaiting: z.number().openapi({ description: 'Flow keys with tasks waiting for admission' }),
    keysRunning: z.number().openapi({ description: 'Flow keys with tasks admitted and not finished' }),
    pausedKeys: z
      .number()
      .openapi({ description: 'Groups paused now (flow keys, or a user paused by hand)' }),
    keys: z
      .array(z.object({ key: z.string(), waiting: z.number(), running: z.number() }))
      .openapi({ description: 'The busiest keys: most waiting, then most running; `keys` rows at most' }),
    paused: z
      .array(z.object({ key: z.string(), resumeAt: z.string().openapi({ format: 'date-time' }) }))
      .openapi({ description: 'The paused groups that resume first; `keys` rows at most' }),
  })
  .openapi('QueueFlowKeys');

const queueSchema = z
  .object({
    name: z.string(),
    paused: z.boolean(),
    counts: z.record(z.string(), z.number()),
    /** Finished per minute over the last five minutes, from the task records. */
    completedPerMinute: z.number(),
    failedPerMinute: z.number(),
    flow: flowSchema.nullable().openapi({
      description: 'Flow keys of a queue with admission (FAIRNESS or keyed tasks); null otherwise',
    }),
  })
  .openapi('Queue');
const listQuery = z
  .object({
    keys: z.coerce
      .number()
      .int()
      .min(0)
      .max(100)
      .default(DEFAULT_KEY_ROWS)
      .openapi({ description: `Rows of busiest and of paused keys per queue (default ${DEFAULT_KEY_ROWS})` }),
  })
  .strict();

const nameParams = z.object({ name: z.string().min(1).max(100) });
const purgeBody = z
  .object({
    limit: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(100_000)
      .openapi({ description: 'Most tasks cancelled' }),
  })
  .strict();
/** States of jobs that have not started; a purge cancels these. */
const NOT_STARTED = ['wait', 'prioritized', 'delayed'] as const;
const PURGE_PAGE = 500;
const cleanBody = z
  .object({
    status: z.enum(['completed', 'failed', 'delayed', 'wait', 'paused']),
    graceMs: z.number().int().min(0).default(0).openapi({ description: 'Keep jobs younger than this' }),
    limit: z.number().int().min(1).max(100_000).default(1_000),
  })
  .strict();

export function queueRoutes({ client, database }: { client: TaskClient; database: Database }) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  const fairness = client.fairness;
  const known = (name: string) => {
    if (!client.registry.queues().includes(name)) throw new ApiError('QUEUE_NOT_FOUND', `No queue "${name}"`);
    return client.queue(name);
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags,
      summary:
        'Every queue with its depth by state, its recent rates and its busiest and paused flow keys (admin: they count every user’s tasks)',
      middleware: [requireAdmin()] as const,
      request: { query: listQuery },
      responses: {
        200: {
          description: 'Queues',
          content: { 'application/json': { schema: z.object({ queues: z.array(queueSchema) }) } },
        },
        403: forbidden,
        ...commonErrors,
      },
    }),
    async (c) => {
      const { keys } = c.req.valid('query');
      const since = new Date(Date.now() - RATE_WINDOW_MS);
      const rates = await database.db
        .select({
          queue: tasks.queue,
          completed: sql<number>`count(*) filter (where ${tasks.status} = 'completed')`.mapWith(Number),
          failed: sql<number>`count(*) filter (where ${tasks.status} = 'failed')`.mapWith(Number),
        })
        .from(tasks)
        .where(and(isNotNull(tasks.completedAt), gte(tasks.completedAt, since)))
        .groupBy(tasks.queue);
      const minutes = RATE_WINDOW_MS / 60_000;
      const queues = await Promise.all(
        client.registry.queues().map(async (name) => {
          const queue = client.queue(name);
          const [counts, paused, flow] = await Promise.all([
            queue.getJobCounts(...STATES),
            queue.isPaused(),
            fairness?.isFair(name) ? fairness.flowKeys(name, keys) : undefined,
          ]);
          const rate = rates.find((row) => row.queue === name);
          return {
            name,
            paused,
            counts,
            completedPerMinute: (rate?.completed ?? 0) / minutes,
            failedPerMinute: (rate?.failed ?? 0) / minutes,
            flow: flow
              ? {
                  keysWaiting: flow.keysWaiting,
                  keysRunning: flow.keysRunning,
                  pausedKeys: flow.pausedGroups,
                  keys: flow.keys,
                  paused: flow.paused.map(({ group, resumeAt }) => ({
                    key: group,
                    resumeAt: new Date(resumeAt).toISOString(),
                  })),
                }
              : null,
          };
        }),
      );
      return c.json({ queues }, 200);
    },
  );

  const action = (path: string, summary: string) =>
    createRoute({
      method: 'post',
      path,
      tags,
      summary,
      middleware: [requireAdmin()] as const,
      request: { params: nameParams },
      responses: {
        200: {
          description: 'Done',
          content: { 'application/json': { schema: z.object({ name: z.string(), paused: z.boolean() }) } },
        },
        403: forbidden,
        404: notFound,
        ...commonErrors,
      },
    });

  app.openapi(action('/{name}/pause', 'Stop workers taking new jobs from the queue (admin)'), async (c) => {
    const queue = known(c.req.valid('param').name);
    await queue.pause();
    return c.json({ name: queue.name, paused: true }, 200);
  });
  app.openapi(action('/{name}/resume', 'Let workers take jobs again (admin)'), async (c) => {
    const queue = known(c.req.valid('param').name);
    await queue.resume();
    return c.json({ name: queue.name, paused: false }, 200);
  });

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{name}/clean',
      tags,
      summary: 'Remove jobs in one state from the queue (admin); task records stay',
      middleware: [requireAdmin()] as const,
      request: {
        params: nameParams,
        body: { content: { 'application/json': { schema: cleanBody } }, required: true },
      },
      responses: {
        200: {
          description: 'Removed',
          content: { 'application/json': { schema: z.object({ removed: z.number() }) } },
        },
        403: forbidden,
        404: notFound,
        ...commonErrors,
      },
    }),
    async (c) => {
      const queue = known(c.req.valid('param').name);
      const { status, graceMs, limit } = c.req.valid('json');
      const removed = await queue.clean(graceMs, limit, status);
      return c.json({ removed: removed.length }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{name}/purge',
      tags,
      summary:
        'Cancel every task of the queue that has not started (admin): removed from Redis, recorded cancelled',
      middleware: [requireAdmin()] as const,
      request: {
        params: nameParams,
        body: { content: { 'application/json': { schema: purgeBody } }, required: false },
      },
      responses: {
        200: {
          description: 'Cancelled',
          content: { 'application/json': { schema: z.object({ cancelled: z.number() }) } },
        },
        403: forbidden,
        404: notFound,
        ...commonErrors,
      },
    }),
    async (c) => {
      const queue = known(c.req.valid('param').name);
      const { limit } = purgeBody.parse(c.req.valid('json') ?? {});
      let cancelled = 0;
      // Pages of ids not started yet: the jobs BullMQ holds, then the tasks still waiting for
      // admission (a fair queue's, a flow-keyed task's), which BullMQ does not know yet.
      const pages = [
        async (size: number) =>
          (await queue.getJobs([...NOT_STARTED], 0, size - 1)).map((job) => job.id as string),
        ...(fairness?.isFair(queue.name)
          ? [(size: number) => fairness.waitingTaskIds(queue.name, size)]
          : []),
      ];
      for (const page of pages) {
        while (cancelled < limit) {
          const ids = await page(Math.min(PURGE_PAGE, limit - cancelled));
          if (ids.length === 0) break;
          const before = cancelled;
          for (const id of ids) {
            try {
              // Through the client, so the record says cancelled and live views get the event.
              if ((await client.cancel(id)).status === 'cancelled') cancelled += 1;
            } catch (error) {
              // Started or finished meanwhile (or being admitted): no longer the purge's business.
              if (!(error instanceof TaskError)) throw error;
            }
          }
          // A page of tasks that all moved on by themselves: the next read would return them again.
          if (cancelled === before) break;
        }
      }
      return c.json({ cancelled }, 200);
    },
  );

  return app;
}
