import type { RedisConnection, TaskClient } from '@foreman/core/producer';
import { readHeartbeats } from '@foreman/metrics';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/api-env.js';
import { validationHook } from '../http/validation-hook.js';
import { requireAdmin } from '../middleware/require-admin/index.js';
import { commonErrors, forbidden } from '../schemas/error.js';

const tags = ['workers'];

const workerSchema = z
  .object({
    queue: z.string(),
    id: z.string().openapi({ description: 'Redis client id of the worker connection' }),
    address: z.string(),
    /** Seconds since the worker connected. */
    ageSeconds: z.number(),
    /** Seconds since the worker last talked to Redis: its heartbeat. */
    idleSeconds: z.number(),
  })
  .openapi('Worker');

const workerStatsSchema = z
  .object({
    processes: z.array(
      z.object({
        instance: z.string().openapi({ description: 'host:pid:random of the worker process' }),
        service: z.string(),
        queue: z.string(),
        concurrency: z.number().int(),
        lastBeatSecondsAgo: z.number().int(),
      }),
    ),
    queues: z.record(
      z.string(),
      z.object({
        processes: z.number().int(),
        slots: z.number().int().openapi({ description: 'Sum of the processes’ concurrency' }),
        active: z.number().int(),
        waiting: z.number().int(),
      }),
    ),
  })
  .openapi('WorkerStats');

const ok = <T extends z.ZodType>(schema: T) => ({
  200: { description: 'OK', content: { 'application/json': { schema } } },
  403: forbidden,
  ...commonErrors,
});

/**
 * Live workers as Redis sees them: every BullMQ worker holds a named connection, so the list is
 * exact without the workers reporting anything themselves. Admin only.
 */
export function workerRoutes({
  client,
  redis,
  prefix,
}: {
  client: TaskClient;
  redis: RedisConnection;
  prefix: string;
}) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.use('*', requireAdmin());
  const queues = () => client.registry.queues();

  const alive = async () =>
    (
      await Promise.all(
        queues().map(async (queue) =>
          (
            await client.queue(queue).getWorkers()
          ).map((worker) => ({
            queue,
            id: worker.id ?? '',
            address: worker.addr ?? '',
            ageSeconds: Number(worker.age ?? 0),
            idleSeconds: Number(worker.idle ?? 0),
          })),
        ),
      )
    ).flat();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags,
      summary: 'Alive worker connections per queue',
      responses: ok(z.object({ workers: z.array(workerSchema) })),
    }),
    async (c) => c.json({ workers: await alive() }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/active',
      tags,
      summary: 'Tasks running right now',
      responses: ok(
        z.object({
          active: z.array(
            z.object({
              taskId: z.string(),
              name: z.string(),
              queue: z.string(),
              startedAt: z.string().nullable(),
              progress: z.unknown(),
            }),
          ),
        }),
      ),
    }),
    async (c) => {
      const active = await Promise.all(
        queues().map(async (queue) =>
          (await client.queue(queue).getActive(0, 999)).map((job) => ({
            taskId: job.id ?? '',
            name: job.name,
            queue,
            startedAt: job.processedOn ? new Date(job.processedOn).toISOString() : null,
            progress: job.progress,
          })),
        ),
      );
      return c.json({ active: active.flat() }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/registered',
      tags,
      summary: 'Task types each queue (and so its worker app) runs',
      responses: ok(z.object({ queues: z.record(z.string(), z.array(z.string())) })),
    }),
    (c) => {
      const types = client.registry.describe();
      const names = queues().map((queue) => [
        queue,
        types.filter((type) => type.queue === queue).map((type) => type.name),
      ]);
      return c.json({ queues: Object.fromEntries(names) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/ping',
      tags,
      summary: 'How many workers answer on each queue',
      responses: ok(
        z.object({ queues: z.record(z.string(), z.object({ workers: z.number(), ok: z.boolean() })) }),
      ),
    }),
    async (c) => {
      const counts = await Promise.all(queues().map((queue) => client.queue(queue).getWorkersCount()));
      return c.json(
        {
          queues: Object.fromEntries(
            queues().map((queue, index) => [
              queue,
              { workers: counts[index] ?? 0, ok: (counts[index] ?? 0) > 0 },
            ]),
          ),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/stats',
      tags,
      summary: 'Worker processes from their heartbeats, and slots, running and waiting tasks per queue',
      responses: ok(workerStatsSchema),
    }),
    async (c) => {
      const beats = await readHeartbeats(redis, prefix);
      const now = Date.now();
      const perQueue = await Promise.all(
        queues().map(async (queue) => {
          const counts = await client.queue(queue).getJobCounts('active', 'waiting', 'prioritized');
          const mine = beats.filter((beat) => beat.queue === queue);
          return [
            queue,
            {
              processes: mine.length,
              slots: mine.reduce((sum, beat) => sum + beat.concurrency, 0),
              active: counts.active ?? 0,
              waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
            },
          ] as const;
        }),
      );
      return c.json(
        {
          processes: beats.map((beat) => ({
            instance: beat.instance,
            service: beat.service,
            queue: beat.queue,
            concurrency: beat.concurrency,
            lastBeatSecondsAgo: Math.max(0, Math.round((now - beat.at) / 1000)),
          })),
          queues: Object.fromEntries(perQueue),
        },
        200,
      );
    },
  );

  return app;
}
