import { ai } from '@foreman/contracts';
import type { TaskClient } from '@foreman/core/producer';
import { AiUsageStore, aiTasks, type Db, eq } from '@foreman/db';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/api-env.js';
import { ApiError } from '../http/api-error.js';
import { validationHook } from '../http/validation-hook.js';
import { requireAdmin } from '../middleware/require-admin/index.js';
import { commonErrors, forbidden } from '../schemas/error.js';
import { jsonResponse } from '../schemas/json-response.js';
import { type SubmitQuota, withinQuota } from '../services/submit-quota.js';
import { TaskService } from '../services/task-service.js';

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

const newAiTaskSchema = z
  .object({
    name: z.string().min(1).max(200),
    prompt: z.string().min(1).max(100_000),
    system: z.string().max(20_000).optional(),
    model: z.string().min(1).max(200).optional(),
    tools: z
      .array(z.enum(ai.AI_TOOL_NAMES))
      .max(ai.AI_TOOL_NAMES.length)
      .default([])
      .openapi({ description: "Tools the model may call, each for the task's own user only" }),
    stream: z
      .boolean()
      .default(false)
      .openapi({ description: 'Publish the answer as `output` events as it is written' }),
    intervalMinutes: z
      .number()
      .int()
      .min(5)
      .max(525_600)
      .optional()
      .openapi({ description: 'Unset: runs once' }),
    runNow: z.boolean().default(false).openapi({
      description:
        'Submit the first run at once (counted against the submit quota); else the next due sweep runs it',
    }),
  })
  .strict();

const createdAiTaskSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    tools: z.array(z.string()),
    stream: z.boolean(),
    intervalMinutes: z.number().int().nullable(),
    nextRunAt: z.string(),
    taskId: z
      .string()
      .nullable()
      .openapi({ description: 'The first run, with runNow: follow it at /events?taskId=' }),
  })
  .openapi('AiTask');

export interface AiRouteOptions {
  db: Db;
  client: TaskClient;
  /** The per-user submit quota, when one is set. */
  quota?: SubmitQuota | undefined;
}

/** Users' AI tasks (with tools and streaming), their AI use of the day; admins set budgets. */
export function aiRoutes({ db, client, quota }: AiRouteOptions) {
  const usage = new AiUsageStore(db);
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.openapi(
    createRoute({
      method: 'post',
      path: '/tasks',
      tags,
      summary: "Create an AI task of the key's user: a prompt, the tools it may use, once or every so often",
      request: { body: { content: { 'application/json': { schema: newAiTaskSchema } }, required: true } },
      responses: { 201: jsonResponse(createdAiTaskSchema, 'Created'), ...commonErrors },
    }),
    async (c) => {
      const { runNow, ...body } = c.req.valid('json');
      const identity = c.get('identity');
      const nextRunAt = new Date();
      const [row] = await db
        .insert(aiTasks)
        .values({ ...body, userId: identity.userId, nextRunAt })
        .returning();
      const created = row as typeof aiTasks.$inferSelect;
      let taskId: string | null = null;
      if (runNow) {
        try {
          // The id the due sweep would give this run: it is never queued twice.
          const submitted = await withinQuota(quota, identity.userId, 1, () =>
            client.submit(
              ai.runAiTask.name,
              { aiTaskId: created.id, dueAt: nextRunAt.toISOString() },
              {
                userId: identity.userId,
                submitter: TaskService.submitter(identity),
                taskId: `ai-run-${created.id}-${nextRunAt.getTime()}`,
              },
            ),
          );
          taskId = submitted.taskId;
        } catch (error) {
          // Refused (e.g. over quota): no task is left behind to run later unasked.
          await db.delete(aiTasks).where(eq(aiTasks.id, created.id));
          throw error;
        }
      }
      return c.json(
        {
          id: created.id,
          name: created.name,
          tools: created.tools,
          stream: created.stream,
          intervalMinutes: created.intervalMinutes,
          nextRunAt: nextRunAt.toISOString(),
          taskId,
        },
        201,
      );
    },
  );
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
        throw new ApiError('FORBIDDEN', "Only admin keys read another user's AI use");
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
