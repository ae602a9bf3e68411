import type { QueueAdvisor } from '@foreman/metrics';
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { commonErrors } from '../schemas/error.js';
import { jsonResponse } from '../schemas/json-response.js';
import { advisorReportSchema } from '../schemas/metrics.js';

/** GET /advisor: bottleneck queue, suggested capacity per queue and backlog forecast. */
export function advisorRoutes({ advisor }: { advisor: QueueAdvisor }) {
  return new OpenAPIHono().openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['metrics'],
      summary: 'The bottleneck queue, suggested replicas and concurrency, and a backlog forecast',
      responses: {
        200: jsonResponse(advisorReportSchema, 'Advice per queue'),
        ...commonErrors,
      },
    }),
    async (c) => c.json(await advisor.report(), 200),
  );
}
