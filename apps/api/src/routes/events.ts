import { TASK_EVENT_TYPES, type TaskEvent } from '@foreman/core';
import type { ApiKeyIdentity } from '@foreman/db';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { TaskEventFanout } from '../events/task-event-fanout.js';
import { type EventBatch, isEventId, type TaskEventReader } from '../events/task-event-reader.js';
import type { ApiEnv } from '../http/api-env.js';
import { ApiError } from '../http/api-error.js';
import { validationHook } from '../http/validation-hook.js';
import { commonErrors, errorSchema } from '../schemas/error.js';
import { taskEventSchema } from '../schemas/task-event.js';
import { errorFor } from '../services/error-view.js';
import { TaskService } from '../services/task-service.js';

const filterSchema = z
  .object({
    taskId: z.string().min(1).max(200).optional(),
    workflowId: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: 'Events of the tasks that run as nodes of this workflow run' }),
    userId: z.string().min(1).max(200).optional().openapi({ description: 'Admin keys only' }),
    lastEventId: z
      .string()
      .max(2_000)
      .optional()
      .openapi({ description: 'Same as the Last-Event-ID header' }),
  })
  .strict();

export interface EventRouteOptions {
  reader: TaskEventReader;
  /** The process's one live reader, shared by every stream (capped per key). */
  fanout: TaskEventFanout;
}

/**
 * Server-sent task events, scoped to the key's user, filtered by task or workflow run, resumable with
 * Last-Event-ID.
 */
export function eventRoutes({ reader, fanout }: EventRouteOptions) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.openAPIRegistry.register('TaskEvent', taskEventSchema);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['events'],
      summary: `Stream of task events (${TASK_EVENT_TYPES.join(', ')})`,
      description:
        'text/event-stream; each event is named by its type, its data is a `TaskEvent` (components), and its `id` is a resume position: reconnect with `Last-Event-ID` to get what was missed.',
      request: { query: filterSchema },
      responses: {
        200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } },
        ...commonErrors,
        429: {
          description:
            'RATE_LIMITED; TOO_MANY_STREAMS: the key already holds EVENT_STREAMS_PER_KEY streams on this api process',
          content: { 'application/json': { schema: errorSchema } },
        },
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const identity = c.get('identity');
      const userId = TaskService.scope(identity, query.userId);
      const resumeFrom = c.req.header('last-event-id') ?? query.lastEventId;
      if (resumeFrom !== undefined && !isEventId(resumeFrom)) {
        throw new ApiError('EVENT_ID_INVALID', 'Last-Event-ID is not one this api issued');
      }
      const matches = (event: TaskEvent) =>
        (userId === undefined || event.userId === userId) &&
        (!query.taskId || event.taskId === query.taskId) &&
        (!query.workflowId || event.workflowId === query.workflowId);
      // Subscribed before the start position is read, so no event falls between the two.
      const subscription = fanout.subscribe(identity.id);
      let missed: EventBatch;
      let position: string;
      try {
        position = resumeFrom ?? (await reader.latest());
        missed = await subscription.startAfter(position, (after) => reader.history(after));
      } catch (error) {
        subscription.close();
        throw error;
      }

      return streamSSE(c, async (stream) => {
        stream.onAbort(() => subscription.close());
        const send = async (batch: EventBatch) => {
          for (const { id, event } of batch) {
            if (!matches(event)) continue;
            // Shown as the task records show it: server paths only to admins.
            const shown =
              event.error === undefined ? event : { ...event, error: errorFor(identity, event.error) };
            await stream.writeSSE({ event: event.type, data: JSON.stringify(shown), id });
          }
        };
        try {
          await stream.writeSSE({
            event: 'ready',
            data: JSON.stringify(scopeOf(identity, userId)),
            id: position,
          });
          await send(missed);
          for (let batch = await subscription.next(); batch; batch = await subscription.next()) {
            if (stream.aborted) break;
            await send(batch);
            if (batch.length === 0) await stream.write(': keep-alive\n\n');
          }
        } catch (error) {
          if (!stream.aborted) throw error;
        } finally {
          subscription.close();
        }
      });
    },
  );
  return app;
}

const scopeOf = (identity: ApiKeyIdentity, userId: string | undefined) => ({
  userId: userId ?? null,
  admin: identity.admin,
});
