import type { DeadLetterStore } from '@foreman/core';
import type { ApiKeyIdentity, DeadLetter } from '@foreman/db';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/api-env.js';
import { ApiError } from '../http/api-error.js';
import { validationHook } from '../http/validation-hook.js';
import { commonErrors, conflict, notFound, taskForbidden } from '../schemas/error.js';
import { jsonResponse } from '../schemas/json-response.js';
import { submittedSchema } from '../schemas/task.js';
import { errorFor } from '../services/error-view.js';
import { TaskService } from '../services/task-service.js';

const tags = ['dead letters'];

const deadLetterSchema = z
  .object({
    taskId: z.string(),
    name: z.string(),
    queue: z.string(),
    userId: z.string().nullable(),
    payload: z.unknown(),
    error: z.string(),
    attempts: z.number().int(),
    failedAt: z.string(),
    replayedAs: z.string().nullable(),
    replayedAt: z.string().nullable(),
  })
  .openapi('DeadLetter');

const toJson = (letter: DeadLetter, identity: ApiKeyIdentity) => ({
  taskId: letter.taskId,
  name: letter.name,
  queue: letter.queue,
  userId: letter.userId,
  payload: letter.payload,
  error: errorFor(identity, letter.error),
  attempts: letter.attempts,
  failedAt: letter.failedAt.toISOString(),
  replayedAs: letter.replayedAs,
  replayedAt: letter.replayedAt?.toISOString() ?? null,
});

const listQuery = z
  .object({
    name: z.string().min(1).max(200).optional(),
    userId: z.string().min(1).max(200).optional().openapi({ description: 'Admin keys only' }),
    replayed: z.enum(['true', 'false']).optional(),
    before: z
      .string()
      .datetime({ offset: true })
      .optional()
      .openapi({ description: 'Failed before (paging)' }),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
const replayAllBody = z
  .object({
    name: z.string().min(1).max(200).optional(),
    userId: z.string().min(1).max(200).optional(),
    limit: z.number().int().min(1).max(1_000).default(100),
  })
  .strict();

/** Tasks that failed for good, within what the key may see, and their replay. */
export function deadLetterRoutes({ deadLetters }: { deadLetters: DeadLetterStore }) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  const visible = async (c: { get(key: 'identity'): ApiEnv['Variables']['identity'] }, taskId: string) => {
    const identity = c.get('identity');
    const letter = await deadLetters.get(taskId);
    if (!letter || (!identity.admin && letter.userId !== identity.userId)) {
      throw new ApiError('DEAD_LETTER_NOT_FOUND', `No dead letter for task "${taskId}"`);
    }
    return letter;
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags,
      summary: 'Dead letters, newest first',
      request: { query: listQuery },
      responses: {
        200: jsonResponse(z.object({ deadLetters: z.array(deadLetterSchema) }), 'Dead letters'),
        ...commonErrors,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const letters = await deadLetters.list({
        name: query.name,
        userId: TaskService.scope(c.get('identity'), query.userId),
        replayed: query.replayed === undefined ? undefined : query.replayed === 'true',
        before: query.before ? new Date(query.before) : undefined,
        limit: query.limit,
      });
      return c.json({ deadLetters: letters.map((letter) => toJson(letter, c.get('identity'))) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/{taskId}',
      tags,
      summary: 'One dead letter',
      request: { params: z.object({ taskId: z.string().min(1).max(200) }) },
      responses: { 200: jsonResponse(deadLetterSchema, 'The dead letter'), 404: notFound, ...commonErrors },
    }),
    async (c) => c.json(toJson(await visible(c, c.req.valid('param').taskId), c.get('identity')), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{taskId}/replay',
      tags,
      summary: 'Submit the dead task’s payload again as a new task linked to it (once)',
      request: { params: z.object({ taskId: z.string().min(1).max(200) }) },
      responses: {
        202: jsonResponse(submittedSchema.extend({ replayOf: z.string() }), 'Replayed'),
        403: taskForbidden,
        404: notFound,
        409: conflict,
        ...commonErrors,
      },
    }),
    async (c) => {
      const { taskId } = c.req.valid('param');
      await visible(c, taskId);
      const submitted = await deadLetters.replay(taskId, TaskService.submitter(c.get('identity')));
      return c.json({ ...submitted, status: 'pending' as const, replayOf: taskId }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/replay',
      tags,
      summary: 'Replay every dead letter not yet replayed (of one task name or user), oldest first',
      request: { body: { content: { 'application/json': { schema: replayAllBody } }, required: true } },
      responses: {
        200: jsonResponse(
          z.object({
            replayed: z.array(submittedSchema.omit({ status: true })),
            failed: z.array(z.object({ taskId: z.string(), error: z.string() })),
          }),
          'What was replayed and what could not be',
        ),
        ...commonErrors,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const result = await deadLetters.replayAll(
        {
          name: body.name,
          userId: TaskService.scope(c.get('identity'), body.userId),
          limit: body.limit,
        },
        TaskService.submitter(c.get('identity')),
      );
      return c.json(
        {
          replayed: result.replayed.map(({ taskId, name, queue }) => ({ taskId, name, queue })),
          failed: result.failed.map(({ taskId, error }) => ({ taskId, error: error.message })),
        },
        200,
      );
    },
  );

  return app;
}
