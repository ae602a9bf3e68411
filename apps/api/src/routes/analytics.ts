import { and, type Db, eq, gte, lte, userDailyAnalytics } from '@foreman/db';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/api-env.js';
import { ApiError } from '../http/api-error.js';
import { validationHook } from '../http/validation-hook.js';
import { commonErrors, forbidden } from '../schemas/error.js';
import { jsonResponse } from '../schemas/json-response.js';

const MAX_DAYS = 366;
const daySchema = z
  .object({
    day: z.string(),
    emailsReceived: z.number().int(),
    categories: z.record(z.string(), z.number()),
    replies: z.number().int(),
    medianResponseMinutes: z.number().nullable(),
    tasksCompleted: z.number().int(),
    tasksFailed: z.number().int(),
    tasksCancelled: z.number().int(),
    tasksByName: z.record(z.string(), z.record(z.string(), z.number())),
  })
  .openapi('DailyAnalytics');

/** GET /analytics: the daily aggregates maintenance.update_analytics wrote, of the key's own user (admins: any). */
export function analyticsRoutes({ db }: { db: Db }) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['analytics'],
      summary: "A user's daily mail and task figures, oldest day first",
      request: {
        query: z.object({
          from: z.iso.date(),
          to: z.iso.date(),
          /** Another user's: admin keys only. */
          userId: z.string().min(1).max(200).optional(),
        }),
      },
      responses: {
        200: jsonResponse(z.object({ userId: z.string(), days: z.array(daySchema) }), 'Days with figures'),
        403: forbidden,
        ...commonErrors,
      },
    }),
    async (c) => {
      const identity = c.get('identity');
      const query = c.req.valid('query');
      const userId = query.userId ?? identity.userId;
      if (userId !== identity.userId && !identity.admin) {
        throw new ApiError('FORBIDDEN', "Only admin keys read another user's analytics");
      }
      const span = (Date.parse(query.to) - Date.parse(query.from)) / 86_400_000;
      if (span < 0 || span >= MAX_DAYS) {
        throw new ApiError('QUERY_INVALID', `from must not be after to, and at most ${MAX_DAYS} days apart`);
      }
      const rows = await db
        .select()
        .from(userDailyAnalytics)
        .where(
          and(
            eq(userDailyAnalytics.userId, userId),
            gte(userDailyAnalytics.day, query.from),
            lte(userDailyAnalytics.day, query.to),
          ),
        )
        .orderBy(userDailyAnalytics.day);
      return c.json({ userId, days: rows.map(({ userId: _user, updatedAt: _at, ...day }) => day) }, 200);
    },
  );
  return app;
}
