import { MISFIRE_POLICIES, OVERLAP_POLICIES } from '@foreman/db';
import type { ScheduleScope, ScheduleService, ScheduleView } from '@foreman/schedules';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ApiEnv } from '../http/api-env.js';
import { validationHook } from '../http/validation-hook.js';
import { commonErrors, conflict, errorContent, notFound } from '../schemas/error.js';
import { jsonResponse } from '../schemas/json-response.js';
import { submittedSchema } from '../schemas/task.js';
import { TaskService } from '../services/task-service.js';

const tags = ['schedules'];
const iso = z.string().nullable();
const scheduleSchema = z
  .object({
    id: z.string(),
    taskName: z.string(),
    queue: z.string(),
    payload: z.unknown(),
    cron: z.string().nullable(),
    timezone: z.string(),
    everyMs: z.number().nullable(),
    description: z.string(),
    enabled: z.boolean(),
    source: z.string(),
    ownerUserId: z
      .string()
      .nullable()
      .openapi({ description: 'Its runs are this user’s tasks; null: declared' }),
    overlapPolicy: z.enum(OVERLAP_POLICIES),
    misfirePolicy: z.enum(MISFIRE_POLICIES),
    misfireCap: z.number(),
    nextRunAt: iso.openapi({ description: 'Next occurrence; null while paused' }),
    lastRunAt: iso.openapi({ description: 'When beat last submitted a run' }),
    lastTaskId: z.string().nullable(),
    queuedRunAt: iso.openapi({ description: 'queue_one: the occurrence held until the previous run ends' }),
    skippedRuns: z.number(),
  })
  .openapi('Schedule');
const idParams = z.object({ id: z.string().min(1).max(200) });
const userQuery = z
  .object({
    userId: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: 'Admin keys only: that user’s schedules (or schedule)' }),
  })
  .strict();
/** The schedule service checks fields, timing and payload itself and names each bad one. */
const scheduleBody = z.record(z.string(), z.unknown()).openapi('ScheduleInput', {
  description:
    '`{ id, task, payload, cron + timezone | everyMs, description?, enabled?, overlapPolicy?, misfirePolicy?, misfireCap? }`; on update, any subset but id',
});
const errors = {
  403: errorContent(
    'FORBIDDEN: needs an admin key; TASK_FORBIDDEN: the key may not run the task; SCHEDULE_LIMIT_EXCEEDED: the user has SCHEDULE_MAX_PER_USER schedules (SCHEDULE_TOO_FREQUENT, runs closer than SCHEDULE_MIN_INTERVAL_MS, is a 400)',
  ),
  404: notFound,
  409: conflict,
  ...commonErrors,
};

const toJson = (view: ScheduleView) => ({
  id: view.id,
  taskName: view.taskName,
  queue: view.queue,
  payload: view.payload,
  cron: view.cron,
  timezone: view.timezone,
  everyMs: view.everyMs,
  description: view.description,
  enabled: view.enabled,
  source: view.source,
  ownerUserId: view.ownerUserId,
  overlapPolicy: view.overlapPolicy,
  misfirePolicy: view.misfirePolicy,
  misfireCap: view.misfireCap,
  nextRunAt: view.nextRunAt?.toISOString() ?? null,
  lastRunAt: view.lastRunAt?.toISOString() ?? null,
  lastTaskId: view.lastTaskId,
  queuedRunAt: view.queuedRunAt?.toISOString() ?? null,
  skippedRuns: view.skippedRuns,
});

/** The schedules a request may see and touch: its key's user's; admin keys every one (or `?userId=`'s). */
const scopeOf = (c: Context<ApiEnv>, requested?: string): ScheduleScope => ({
  userId: TaskService.scope(c.get('identity'), requested),
  submitter: TaskService.submitter(c.get('identity')),
});

/**
 * Recurring schedules. Each belongs to the user whose key created it (its runs are that user's
 * tasks); ids are per user, so a key sees, touches and creates only its user's and never learns of
 * another's. Admin keys see all (`?userId=` names the user when several have the id), and alone
 * touch the declared ones, which belong to no user.
 */
export function scheduleRoutes({ schedules }: { schedules: ScheduleService }) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  const one = (method: 'get' | 'post', path: string, summary: string) =>
    createRoute({
      method,
      path,
      tags,
      summary,
      request: { params: idParams, query: userQuery },
      responses: { 200: jsonResponse(scheduleSchema, 'The schedule'), ...errors },
    });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags,
      summary: 'Schedules with their next and last run',
      request: { query: userQuery },
      responses: {
        200: jsonResponse(z.object({ schedules: z.array(scheduleSchema) }), 'Schedules'),
        ...errors,
      },
    }),
    async (c) => {
      const scope = scopeOf(c, c.req.valid('query').userId);
      return c.json({ schedules: (await schedules.list(scope)).map(toJson) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags,
      summary: 'Create a schedule of the key’s user (admin keys: `?userId=` for another)',
      request: {
        query: userQuery,
        body: { content: { 'application/json': { schema: scheduleBody } }, required: true },
      },
      responses: { 201: jsonResponse(scheduleSchema, 'Created'), ...errors },
    }),
    async (c) => {
      const owner = scopeOf(c, c.req.valid('query').userId).userId ?? c.get('identity').userId;
      const scope = { userId: owner, submitter: TaskService.submitter(c.get('identity')) };
      return c.json(toJson(await schedules.create(c.req.valid('json') as never, scope)), 201);
    },
  );
  app.openapi(one('get', '/{id}', 'One schedule'), async (c) =>
    c.json(
      toJson(await schedules.get(c.req.valid('param').id, scopeOf(c, c.req.valid('query').userId))),
      200,
    ),
  );
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/{id}',
      tags,
      summary: 'Change a schedule',
      request: {
        params: idParams,
        query: userQuery,
        body: { content: { 'application/json': { schema: scheduleBody } }, required: true },
      },
      responses: { 200: jsonResponse(scheduleSchema, 'The schedule'), ...errors },
    }),
    async (c) =>
      c.json(
        toJson(
          await schedules.update(
            c.req.valid('param').id,
            c.req.valid('json') as never,
            scopeOf(c, c.req.valid('query').userId),
          ),
        ),
        200,
      ),
  );
  app.openapi(one('post', '/{id}/pause', 'Stop firing'), async (c) =>
    c.json(
      toJson(await schedules.pause(c.req.valid('param').id, scopeOf(c, c.req.valid('query').userId))),
      200,
    ),
  );
  app.openapi(one('post', '/{id}/resume', 'Fire again, from now on'), async (c) =>
    c.json(
      toJson(await schedules.resume(c.req.valid('param').id, scopeOf(c, c.req.valid('query').userId))),
      200,
    ),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/run',
      tags,
      summary: 'Submit the schedule’s task now, as its owner',
      request: { params: idParams, query: userQuery },
      responses: { 202: jsonResponse(submittedSchema.omit({ status: true }), 'Submitted'), ...errors },
    }),
    async (c) => {
      const scope = scopeOf(c, c.req.valid('query').userId);
      const { taskId, name, queue } = await schedules.runNow(c.req.valid('param').id, scope);
      return c.json({ taskId, name, queue }, 202);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{id}',
      tags,
      summary: 'Delete a schedule (declared ones can only be paused)',
      request: { params: idParams, query: userQuery },
      responses: {
        200: jsonResponse(z.object({ id: z.string(), deleted: z.literal(true) }), 'Deleted'),
        ...errors,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await schedules.delete(id, scopeOf(c, c.req.valid('query').userId));
      return c.json({ id, deleted: true as const }, 200);
    },
  );
  return app;
}
