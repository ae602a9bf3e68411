import type { AlertManager } from '@foreman/alerting';
import { ALERT_STATUSES } from '@foreman/db';
import { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../http/api-error.js';
import { readJson } from '../http/read-json.js';

const listQuery = z.object({
  status: z.enum(ALERT_STATUSES).optional(),
  ruleId: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).optional(),
});
const ackBody = z.object({ by: z.string().min(1).max(200) });

/** GET /alerts, GET /alerts/:id, POST /alerts/:id/ack `{ by }`, POST /alerts/:id/resolve. */
export function alertRoutes({ alerts }: { alerts: AlertManager }) {
  return new Hono()
    .get('/', async (c) => {
      const query = listQuery.safeParse(c.req.query());
      if (!query.success)
        throw new ApiError(400, 'QUERY_INVALID', 'Invalid query parameters', query.error.issues);
      return c.json({ alerts: await alerts.list(query.data) });
    })
    .get('/:id', async (c) => c.json(await alerts.get(c.req.param('id'))))
    .post('/:id/ack', async (c) => {
      const body = ackBody.safeParse(await readJson(c));
      if (!body.success)
        throw new ApiError(400, 'BODY_INVALID', 'Expected { "by": "<who>" }', body.error.issues);
      return c.json(await alerts.acknowledge(c.req.param('id'), body.data.by));
    })
    .post('/:id/resolve', async (c) => c.json(await alerts.resolve(c.req.param('id'))));
}

/** GET /alert-rules, GET/PUT/DELETE /alert-rules/:id, POST /alert-rules. File rules are read-only. */
export function alertRuleRoutes({ alerts }: { alerts: AlertManager }) {
  return new Hono()
    .get('/', async (c) => c.json({ rules: await alerts.rules.list() }))
    .get('/:id', async (c) => c.json(await alerts.rules.get(c.req.param('id'))))
    .post('/', async (c) => c.json(await alerts.rules.create(await readJson(c)), 201))
    .put('/:id', async (c) => c.json(await alerts.rules.update(c.req.param('id'), await readJson(c))))
    .delete('/:id', async (c) => {
      await alerts.rules.remove(c.req.param('id'));
      return c.body(null, 204);
    });
}
