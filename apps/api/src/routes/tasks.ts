import type { TaskClient } from '@foreman/core/producer';
import type { ApiKeyIdentity, TaskRecord } from '@foreman/db';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/api-env.js';
import { readJson } from '../http/read-json.js';
import { payloadValidationHook, validationHook } from '../http/validation-hook.js';
import { commonErrors, conflict, errorContent, notFound, taskForbidden } from '../schemas/error.js';
import { idempotencyHeaders, idempotencyReused } from '../schemas/idempotency.js';
import { jsonResponse } from '../schemas/json-response.js';
import {
  bulkSubmitSchema,
  cancelResultSchema,
  flowQuerySchema,
  listQuerySchema,
  noQuery,
  signalledSchema,
  signalSchema,
  submitOptionsSchema,
  submittedSchema,
  taskIdParams,
  taskPageSchema,
  taskRecordSchema,
} from '../schemas/task.js';
import { errorFor, stackFor } from '../services/error-view.js';
import type { IdempotentRequests } from '../services/idempotent-requests.js';
import { payloadFilters } from '../services/payload-filter.js';
import { type SubmitQuota, withinQuota } from '../services/submit-quota.js';
import { TaskService } from '../services/task-service.js';

const listQueryFields = Object.keys(listQuerySchema.shape);

const tags = ['tasks'];

/** A record as the api shows it to `identity`: dates as ISO strings, server details for admins. */
export const toTaskJson = (record: TaskRecord, identity: ApiKeyIdentity) => ({
  id: record.id,
  name: record.name,
  queue: record.queue,
  userId: record.userId,
  status: record.status,
  priority: record.priority,
  payload: record.payload,
  result: record.result,
  error: errorFor(identity, record.error),
  stackTrace: stackFor(identity, record.stackTrace),
  attempts: record.attempts,
  maxRetries: record.maxRetries,
  createdAt: record.createdAt.toISOString(),
  startedAt: record.startedAt?.toISOString() ?? null,
  completedAt: record.completedAt?.toISOString() ?? null,
  durationMs: record.durationMs,
  waitMs: record.waitMs,
  traceId: record.traceId,
  progress: record.progress,
  progressMessage: record.progressMessage,
  replayOf: record.replayOf,
});

const listRoute = (path: string, summary: string, query: z.ZodType = listQuerySchema) =>
  createRoute({
    method: 'get',
    path,
    tags,
    summary,
    description:
      'Includes tasks submitted moments ago whose records have not reached the database yet (read from Redis). Besides the parameters below, `payload.<field>[.<field>...]=<value>` keeps tasks whose payload holds that value at that path (`payload.user.id=42` matches 42 and "42"); any other parameter is a 400 naming it.',
    request: { query: query as typeof listQuerySchema },
    responses: { 200: jsonResponse(taskPageSchema, 'One page, newest first'), ...commonErrors },
  });

export function taskRoutes({
  client,
  tasks,
  quota,
  idempotent,
}: {
  client: TaskClient;
  tasks: TaskService;
  /** Answers a repeated `Idempotency-Key` with the first request's answer. */
  idempotent: IdempotentRequests;
  /** The per-user submit quota, when one is set. */
  quota?: SubmitQuota | undefined;
}) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  const page = async (c: Parameters<Parameters<typeof app.openapi>[1]>[0], preset: object = {}) => {
    const query = listQuerySchema.parse(c.req.query());
    const filter = {
      ...query,
      payload: payloadFilters(
        query,
        listQueryFields.filter((field) => !(field in preset)),
      ),
      ...preset,
    };
    const result = await tasks.list(c.get('identity'), filter);
    return c.json(
      {
        tasks: result.tasks.map((task) => toTaskJson(task, c.get('identity'))),
        nextCursor: result.nextCursor,
      },
      200,
    );
  };
  const presetQuery = listQuerySchema.omit({ status: true });

  app.openapi(listRoute('/', 'List tasks with filters and cursor pagination'), (c) => page(c));
  app.openapi(listRoute('/pending', 'Tasks waiting to run', presetQuery), (c) =>
    page(c, { status: 'pending' }),
  );
  app.openapi(listRoute('/failed', 'Tasks that failed for good', presetQuery), (c) =>
    page(c, { status: 'failed' }),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags,
      summary: 'Submit several tasks at once: all are valid and queued, or none is',
      description:
        'Answers once every job and its pending record are in Redis, in one transaction: an api that dies midway leaves all of them or none. The records reach the database moments later.',
      request: {
        // Options go in the body; a query parameter (`?userId=`) would be silently ignored.
        query: noQuery,
        headers: idempotencyHeaders,
        body: { content: { 'application/json': { schema: bulkSubmitSchema } }, required: true },
      },
      responses: {
        202: jsonResponse(z.object({ tasks: z.array(submittedSchema) }), 'Every task queued'),
        403: taskForbidden,
        404: notFound,
        422: idempotencyReused,
        ...commonErrors,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const userId = TaskService.scope(c.get('identity'), body.userId) ?? c.get('identity').userId;
      const submitter = TaskService.submitter(c.get('identity'));
      const { answer, replayed } = await idempotent.run(
        {
          userId: c.get('identity').userId,
          route: 'POST /tasks',
          key: c.req.valid('header')['idempotency-key'],
          request: body,
        },
        // The whole request within the quota, or nothing of it.
        () =>
          withinQuota(quota, userId, body.tasks.length, () =>
            client.submitBulk(
              body.tasks.map(({ name, payload, ...options }) => ({
                name,
                payload,
                options: { userId, submitter, ...options },
              })),
            ),
          ),
      );
      if (replayed) c.header('Idempotent-Replayed', 'true');
      return c.json({ tasks: answer.map((task) => ({ ...task, status: 'pending' as const })) }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{name}',
      tags,
      summary: 'Submit one task; the body is its payload (see /task-types for each schema)',
      request: {
        params: z.object({ name: z.string().openapi({ example: 'maintenance.health_check' }) }),
        query: submitOptionsSchema.extend(flowQuerySchema.shape).strict(),
        headers: idempotencyHeaders,
        body: { content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } },
      },
      responses: {
        202: jsonResponse(submittedSchema, 'Queued'),
        403: taskForbidden,
        404: notFound,
        413: jsonResponse(z.object({}), 'Body too large'),
        422: idempotencyReused,
        ...commonErrors,
      },
    }),
    async (c) => {
      const { name } = c.req.valid('param');
      // Unknown names answer 404 before the body is even read.
      client.registry.get(name);
      const { debounceKey, debounceWindowMs, debounceMaxWaitMs, singletonKey, singletonMode, ...query } =
        c.req.valid('query');
      // curl -d sends a form content type; the payload is JSON whatever the header says.
      const payload = await readJson(c, 'PAYLOAD_INVALID');
      const userId = TaskService.scope(c.get('identity'), query.userId) ?? c.get('identity').userId;
      const { answer, replayed } = await idempotent.run(
        {
          userId: c.get('identity').userId,
          route: 'POST /tasks/:name',
          key: c.req.valid('header')['idempotency-key'],
          request: { name, query: c.req.valid('query'), payload },
        },
        () =>
          withinQuota(quota, userId, 1, () =>
            client.submit(name, payload, {
              ...query,
              ...(debounceKey === undefined
                ? {}
                : {
                    debounce: {
                      key: debounceKey,
                      windowMs: debounceWindowMs ?? 0,
                      maxWaitMs: debounceMaxWaitMs,
                    },
                  }),
              ...(singletonKey === undefined
                ? {}
                : { singleton: { key: singletonKey, mode: singletonMode } }),
              userId,
              submitter: TaskService.submitter(c.get('identity')),
            }),
          ),
      );
      if (replayed) c.header('Idempotent-Replayed', 'true');
      return c.json({ ...answer, status: 'pending' as const }, 202);
    },
    (result, c) => payloadValidationHook(result, c),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags,
      summary: 'One task: status, attempts, timings, progress, result or error',
      description:
        'Found at once after its submit, on any replica: a task whose record has not reached the database yet is read from its job in Redis, in the same shape.',
      request: { params: taskIdParams },
      responses: { 200: jsonResponse(taskRecordSchema, 'The task'), 404: notFound, ...commonErrors },
    }),
    async (c) => {
      const record = await tasks.get(c.get('identity'), c.req.valid('param').id);
      return c.json(toTaskJson(record, c.get('identity')), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/cancel',
      tags,
      summary: 'Cancel a task: a waiting one at once (200), a running one by aborting its handler (202)',
      request: { params: taskIdParams },
      responses: {
        200: jsonResponse(cancelResultSchema, 'Cancelled'),
        202: jsonResponse(cancelResultSchema, 'Its worker was told to stop it'),
        404: notFound,
        409: conflict,
        ...commonErrors,
      },
    }),
    async (c) => {
      const result = await tasks.cancel(c.get('identity'), c.req.valid('param').id);
      return result.status === 'cancelled' ? c.json(result, 200) : c.json(result, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/retry',
      tags,
      summary: 'Run a failed or cancelled task again (same id, fresh attempts)',
      request: { params: taskIdParams },
      responses: {
        202: jsonResponse(submittedSchema, 'Queued again'),
        403: taskForbidden,
        404: notFound,
        409: conflict,
        ...commonErrors,
      },
    }),
    async (c) => {
      const submitted = await tasks.retry(c.get('identity'), c.req.valid('param').id);
      return c.json({ ...submitted, status: 'pending' as const }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/signal',
      tags,
      summary: 'Approve or deny what a parked AI task waits for (its owner or an admin), and wake it',
      description:
        "The token is in the task's `progressMessage` while its `wait_for_approval` step waits. The decision is stored once; the task replays its finished steps and goes on with it.",
      request: {
        params: taskIdParams,
        body: { content: { 'application/json': { schema: signalSchema } }, required: true },
      },
      responses: {
        200: jsonResponse(signalledSchema, 'Decided; the task is woken'),
        403: errorContent('APPROVAL_TOKEN_INVALID: the task waits for no approval with this token'),
        404: notFound,
        409: errorContent(
          'APPROVAL_ALREADY_DECIDED; APPROVAL_EXPIRED: its deadline passed; TASK_STATE_CONFLICT: the task finished',
        ),
        ...commonErrors,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const decided = await tasks.signal(c.get('identity'), id, c.req.valid('json'));
      return c.json(
        {
          taskId: id,
          decision: decided.decision!,
          comment: decided.comment,
          decidedAt: decided.decidedAt!.toISOString(),
        },
        200,
      );
    },
  );

  return app;
}
