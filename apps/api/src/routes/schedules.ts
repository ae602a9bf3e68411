import type { ScheduleService, ScheduleView } from '@foreman/schedules';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/api-env.js';
import { validationHook } from '../http/validation-hook.js';
import { requireAdmin } from '../middleware/require-admin/index.js';
import { commonErrors, conflict, forbidden, notFound } from '../schemas/error.js';
import { submittedSchema } from '../schemas/task.js';

const tags = ['schedules'];
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
    nextRunAt: z.string().nullable(),
  })
  .openapi('Schedule');
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const idParams = z.object({ id: z.string().min(1).max(200) });
/** The schedule service checks fields, timing and payload itself and names each bad one. */
const scheduleBody = z.record(z.string(), z.unknown()).openapi('ScheduleInput', {
  description:
    '`{ id, task, payload, cron + timezone | everyMs, description?, enabled? }`; on update, any subset but id',
});
const errors = { 403: forbidden, 404: notFound, 409: conflict, ...commonErrors };

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
  nextRunAt: view.nextRunAt?.toISOString() ?? null,
});

/** Recurring schedules of the deployment. They belong to no user, so only admin keys manage them. */
export function scheduleRoutes({ schedules }: { schedules: ScheduleService }) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.use('*', requireAdmin());
  const one = (method: 'get' | 'post', path: string, summary: string) =>
    createRoute({
      method,
      path,
      tags,
      summary,
      request: { params: idParams },
      responses: { 200: json(scheduleSchema, 'The schedule'), ...errors },
    });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags,
      summary: 'Every schedule with its next run',
      responses: { 200: json(z.object({ schedules: z.array(scheduleSchema) }), 'Schedules'), ...errors },
    }),
    async (c) => c.json({ schedules: (await schedules.list()).map(toJson) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags,
      summary: 'Create a schedule',
      request: { body: { content: { 'application/json': { schema: scheduleBody } }, required: true } },
      responses: { 201: json(scheduleSchema, 'Created'), ...errors },
    }),
    async (c) => c.json(toJson(await schedules.create(c.req.valid('json') as never)), 201),
  );
  app.openapi(one('get', '/{id}', 'One schedule'), async (c) =>
    c.json(toJson(await schedules.get(c.req.valid('param').id)), 200),
  );
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/{id}',
      tags,
      summary: 'Change a schedule',
      request: {
        params: idParams,
        body: { content: { 'application/json': { schema: scheduleBody } }, required: true },
      },
      responses: { 200: json(scheduleSchema, 'The schedule'), ...errors },
    }),
    async (c) =>
      c.json(toJson(await schedules.update(c.req.valid('param').id, c.req.valid('json') as never)), 200),
  );
  app.openapi(one('post', '/{id}/pause', 'Stop firing'), async (c) =>
    c.json(toJson(await schedules.update(c.req.valid('param').id, { enabled: false })), 200),
  );
  app.openapi(one('post', '/{id}/resume', 'Fire again'), async (c) =>
    c.json(toJson(await schedules.update(c.req.valid('param').id, { enabled: true })), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/run',
      tags,
      summary: 'Submit the schedule’s task now',
      request: { params: idParams },
      responses: { 202: json(submittedSchema.omit({ status: true }), 'Submitted'), ...errors },
    }),
    async (c) => {
      const { taskId, name, queue } = await schedules.runNow(c.req.valid('param').id);
      return c.json({ taskId, name, queue }, 202);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/{id}',
      tags,
      summary: 'Delete a schedule (declared ones can only be paused)',
      request: { params: idParams },
      responses: { 200: json(z.object({ id: z.string(), deleted: z.literal(true) }), 'Deleted'), ...errors },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await schedules.delete(id);
      return c.json({ id, deleted: true as const }, 200);
    },
  );
  return app;
}
