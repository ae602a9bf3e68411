import type { FairnessMetrics } from '@foreman/metrics';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/api-env.js';
import { ApiError } from '../http/api-error.js';
import { validationHook } from '../http/validation-hook.js';
import { commonErrors, notFound } from '../schemas/error.js';
import { TaskService } from '../services/task-service.js';

const userSchema = z
  .object({
    userId: z.string(),
    waiting: z.number().openapi({ description: 'Tasks waiting for admission' }),
    running: z.number().openapi({ description: 'Tasks admitted and not finished' }),
    oldestWaitingAgeMs: z.number().nullable().openapi({ description: 'Null when nothing waits' }),
  })
  .openapi('UserFairness');
const reportSchema = z
  .object({ queues: z.array(z.object({ queue: z.string(), users: z.array(userSchema) })) })
  .openapi('FairnessReport');
const query = z
  .object({
    queue: z.string().min(1).max(200).optional().openapi({ description: 'One fair queue only' }),
    userId: z.string().min(1).max(200).optional().openapi({ description: 'Admin keys only: one user' }),
  })
  .strict();

/**
 * Fair sharing as it stands: per fair queue, each user's waiting and running tasks and the age of
 * its oldest waiting one. A key sees its own user's rows only; admin keys see every user.
 */
export function fairnessRoutes({
  fairness,
  fairQueues,
}: {
  fairness: FairnessMetrics;
  fairQueues: string[];
}) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['fairness'],
      summary: 'Waiting, running and oldest waiting age per user and fair queue',
      request: { query },
      responses: {
        200: { description: 'The shares', content: { 'application/json': { schema: reportSchema } } },
        404: notFound,
        ...commonErrors,
      },
    }),
    async (c) => {
      const filter = c.req.valid('query');
      const userId = TaskService.scope(c.get('identity'), filter.userId);
      if (filter.queue !== undefined && !fairQueues.includes(filter.queue)) {
        throw new ApiError('QUEUE_NOT_FAIR', `Queue "${filter.queue}" has no fair sharing (FAIRNESS)`);
      }
      const report = await fairness.report({ queue: filter.queue });
      return c.json(
        {
          queues: report.queues.map(({ queue, users }) => ({
            queue,
            users: userId === undefined ? users : users.filter((user) => user.userId === userId),
          })),
        },
        200,
      );
    },
  );
  return app;
}
