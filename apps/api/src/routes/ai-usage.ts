import { AiUsageStore, type Db } from '@foreman/db';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/api-env.js';
import { ApiError } from '../http/api-error.js';
import { validationHook } from '../http/validation-hook.js';
import { requireAdmin } from '../middleware/require-admin/index.js';
import { commonErrors, forbidden } from '../schemas/error.js';
import { jsonResponse } from '../schemas/json-response.js';

const tags = ['ai'];
const userIdSchema = z.string().min(1).max(200);
const usageSchema = z
  .object({
    userId: z.string(),
    day: z.string().openapi({ description: 'The UTC day, YYYY-MM-DD' }),
    promptTokens: z.number().int(),
    completionTokens: z.number().int(),
    modelCalls: z.number().int(),
    toolCalls: z.number().int(),
    dailyTokens: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Daily token budget (prompt + completion); null: none' }),
  })
  .openapi('AiUsage');

/** A user's AI use today and daily token budget; admins set budgets. */
export function aiUsageRoutes({ db }: { db: Db }) {
  const usage = new AiUsageStore(db);
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/usage',
      tags,
      summary: "Today's AI use (UTC) of the key's user (admins: any) and the daily budget",
      request: { query: z.object({ userId: userIdSchema.optional() }) },
      responses: { 200: jsonResponse(usageSchema, 'Usage'), 403: forbidden, ...commonErrors },
    }),
    async (c) => {
      const identity = c.get('identity');
      const userId = c.req.valid('query').userId ?? identity.userId;
      if (userId !== identity.userId && !identity.admin) {
        throw new ApiError(403, 'FORBIDDEN', "Only admin keys read another user's AI use");
      }
      return c.json({ userId, ...(await usage.today(userId)) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/budgets/{userId}',
      tags,
      summary: "Set (or with null remove) a user's daily AI token budget (admin)",
      description:
        'Once a day’s prompt and completion tokens reach it, new model calls of the user fail with AI_BUDGET_EXCEEDED until the next UTC day.',
      middleware: [requireAdmin()] as const,
      request: {
        params: z.object({ userId: userIdSchema }),
        body: {
          content: {
            'application/json': {
              schema: z
                .object({ dailyTokens: z.number().int().positive().max(2_000_000_000).nullable() })
                .strict(),
            },
          },
          required: true,
        },
      },
      responses: {
        200: jsonResponse(usageSchema, 'Usage with the new budget'),
        403: forbidden,
        ...commonErrors,
      },
    }),
    async (c) => {
      const { userId } = c.req.valid('param');
      await usage.setBudget(userId, c.req.valid('json').dailyTokens, c.get('identity').userId);
      return c.json({ userId, ...(await usage.today(userId)) }, 200);
    },
  );
  return app;
}
