import type { QueueAdvisor } from '@foreman/metrics';
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/api-env.js';
import { requireAdmin } from '../middleware/require-admin/index.js';
import { commonErrors, forbidden } from '../schemas/error.js';
import { jsonResponse } from '../schemas/json-response.js';
import { advisorReportSchema } from '../schemas/metrics.js';

/** GET /advisor (admin: it reads every user's load): bottleneck queue, capacity and backlog forecast. */
export function advisorRoutes({ advisor }: { advisor: QueueAdvisor }) {
  return new OpenAPIHono<ApiEnv>().openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['metrics'],
      summary: 'The bottleneck queue, suggested replicas and concurrency, and a backlog forecast (admin)',
      middleware: [requireAdmin()] as const,
      responses: {
        200: jsonResponse(advisorReportSchema, 'Advice per queue'),
        403: forbidden,
        ...commonErrors,
      },
    }),
    async (c) => c.json(await advisor.report(), 200),
  );
}
