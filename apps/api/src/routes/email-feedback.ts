import { and, type Db, desc, emailFeedback, eq, inboundEmails } from '@foreman/db';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/api-env.js';
import { ApiError } from '../http/api-error.js';
import { validationHook } from '../http/validation-hook.js';
import { commonErrors, notFound } from '../schemas/error.js';
import { jsonResponse } from '../schemas/json-response.js';

const tags = ['email'];
const category = z
  .string()
  .regex(/^[a-z0-9_-]{1,50}$/, 'lower-case letters, digits, "_" or "-", at most 50')
  .openapi({ example: 'work' });
const feedbackBody = z
  .object({
    /** The category the message belongs in. */
    category: category.optional(),
    /** A category the message does not belong in ("this is not promotions"). */
    notCategory: category.optional(),
  })
  .strict()
  .refine((body) => body.category !== undefined || body.notCategory !== undefined, {
    message: 'Give category, notCategory or both',
  })
  .refine((body) => body.category === undefined || body.category !== body.notCategory, {
    message: 'category and notCategory must differ',
  })
  .openapi('EmailFeedback');
const feedbackSchema = z
  .object({
    id: z.string(),
    emailId: z.string(),
    category: z.string().nullable(),
    notCategory: z.string().nullable(),
    createdAt: z.string(),
    appliedAt: z.string().nullable(),
  })
  .openapi('StoredEmailFeedback');

type FeedbackRow = typeof emailFeedback.$inferSelect;
const view = (row: FeedbackRow) => ({
  id: row.id,
  emailId: row.emailId,
  category: row.category,
  notCategory: row.rejectedCategory,
  createdAt: row.createdAt.toISOString(),
  appliedAt: row.appliedAt?.toISOString() ?? null,
});

/**
 * Corrections of a message's category, by the owner of the message only. They take effect when
 * `email.reclassify_with_feedback` runs; a second correction of a message replaces the first.
 */
export function emailFeedbackRoutes({ db }: { db: Db }) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/feedback',
      tags,
      summary: "Correct a message's category; applied by email.reclassify_with_feedback",
      request: {
        params: z.object({ id: z.uuid() }),
        body: { content: { 'application/json': { schema: feedbackBody } }, required: true },
      },
      responses: { 201: jsonResponse(feedbackSchema, 'Stored'), 404: notFound, ...commonErrors },
    }),
    async (c) => {
      const { userId } = c.get('identity');
      const emailId = c.req.valid('param').id;
      const body = c.req.valid('json');
      const [message] = await db
        .select({ id: inboundEmails.id })
        .from(inboundEmails)
        .where(and(eq(inboundEmails.id, emailId), eq(inboundEmails.userId, userId)));
      if (!message) throw new ApiError('EMAIL_NOT_FOUND', `No message with id "${emailId}"`);
      const values = {
        userId,
        emailId,
        category: body.category ?? null,
        rejectedCategory: body.notCategory ?? null,
        createdAt: new Date(),
        appliedAt: null,
      };
      const [row] = await db
        .insert(emailFeedback)
        .values(values)
        .onConflictDoUpdate({ target: emailFeedback.emailId, set: values })
        .returning();
      return c.json(view(row as FeedbackRow), 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/feedback',
      tags,
      summary: "The key's user's corrections, newest first",
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(1_000).default(100) }) },
      responses: {
        200: jsonResponse(z.object({ feedback: z.array(feedbackSchema) }), 'Corrections'),
        ...commonErrors,
      },
    }),
    async (c) => {
      const rows = await db
        .select()
        .from(emailFeedback)
        .where(eq(emailFeedback.userId, c.get('identity').userId))
        .orderBy(desc(emailFeedback.createdAt))
        .limit(c.req.valid('query').limit);
      return c.json({ feedback: rows.map(view) }, 200);
    },
  );
  return app;
}
