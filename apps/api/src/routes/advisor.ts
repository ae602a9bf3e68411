import type { QueueAdvisor } from '@foreman/metrics';
import { Hono } from 'hono';

/** GET /advisor: bottleneck queue, suggested capacity per queue and backlog forecast. */
export function advisorRoutes({ advisor }: { advisor: QueueAdvisor }) {
  return new Hono().get('/', async (c) => c.json(await advisor.report()));
}
