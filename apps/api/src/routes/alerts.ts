import type { AlertManager } from '@foreman/alerting';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/api-env.js';
import { ApiError } from '../http/api-error.js';
import { readJson } from '../http/read-json.js';
import { requireAdmin } from '../middleware/require-admin/index.js';
import {
  ackBody,
  alertListQuery,
  alertRuleSchema,
  alertSchema,
  storedRuleSchema,
} from '../schemas/alerts.js';
import { commonErrors, conflict, forbidden, notFound } from '../schemas/error.js';
import { jsonResponse } from '../schemas/json-response.js';

const idParam = z.object({ id: z.string() });

/**
 * Routes are documented through the registry rather than validated by it: rule bodies are checked
 * by the alerting package itself, whose errors (ALERT_RULE_INVALID, …) the api passes on.
 */
const documenter =
  (app: OpenAPIHono<ApiEnv>) =>
  (
    method: 'get' | 'post' | 'put' | 'delete',
    path: string,
    summary: string,
    responses: object,
    request = {},
  ) =>
    app.openAPIRegistry.registerPath({
      method,
      path,
      tags: ['alerts'],
      summary: `${summary} (admin)`,
      request,
      responses: { ...responses, 403: forbidden, ...commonErrors },
    });

/**
 * GET /alerts, GET /alerts/:id, POST /alerts/:id/ack, POST /alerts/:id/resolve; admin keys only.
 * An acknowledgement is recorded under the key's user.
 */
export function alertRoutes({ alerts }: { alerts: AlertManager }) {
  const app = new OpenAPIHono<ApiEnv>();
  app.use('*', requireAdmin());
  const document = documenter(app);
  document(
    'get',
    '/',
    'Alert history, newest first',
    { 200: jsonResponse(z.object({ alerts: z.array(alertSchema) }), 'Alerts') },
    { query: alertListQuery },
  );
  document(
    'get',
    '/{id}',
    'One alert',
    { 200: jsonResponse(alertSchema, 'The alert'), 404: notFound },
    { params: idParam },
  );
  document(
    'post',
    '/{id}/ack',
    "Acknowledge a firing alert: no more reminders until it resolves; recorded under the key's user",
    { 200: jsonResponse(alertSchema, 'The alert'), 404: notFound, 409: conflict },
    { params: idParam, body: { content: { 'application/json': { schema: ackBody } } } },
  );
  document(
    'post',
    '/{id}/resolve',
    'Resolve an alert by hand',
    { 200: jsonResponse(alertSchema, 'The alert'), 404: notFound, 409: conflict },
    { params: idParam },
  );
  return app
    .get('/', async (c) => {
      const query = alertListQuery.safeParse(c.req.query());
      if (!query.success) throw new ApiError('QUERY_INVALID', 'Invalid query parameters', query.error.issues);
      return c.json({ alerts: await alerts.list(query.data) });
    })
    .get('/:id', async (c) => c.json(await alerts.get(c.req.param('id'))))
    .post('/:id/ack', async (c) => {
      const body = ackBody.safeParse(await readJson(c));
      if (!body.success)
        throw new ApiError(
          'BODY_INVALID',
          "Expected an empty body: the acknowledgement is recorded under the key's user",
          body.error.issues,
        );
      return c.json(await alerts.acknowledge(c.req.param('id'), c.get('identity').userId));
    })
    .post('/:id/resolve', async (c) => c.json(await alerts.resolve(c.req.param('id'))));
}

/**
 * GET /alert-rules, GET/PUT/DELETE /alert-rules/:id, POST /alert-rules; admin keys only. File rules
 * are read-only.
 */
export function alertRuleRoutes({ alerts }: { alerts: AlertManager }) {
  const app = new OpenAPIHono<ApiEnv>();
  app.use('*', requireAdmin());
  const ruleBody = { content: { 'application/json': { schema: alertRuleSchema } } };
  const document = documenter(app);
  document('get', '/', 'Rules in force: from the rules file and from the api', {
    200: jsonResponse(z.object({ rules: z.array(storedRuleSchema) }), 'Rules'),
  });
  document(
    'get',
    '/{id}',
    'One rule',
    { 200: jsonResponse(storedRuleSchema, 'The rule'), 404: notFound },
    { params: idParam },
  );
  document(
    'post',
    '/',
    'Add a rule',
    { 201: jsonResponse(alertRuleSchema, 'The rule'), 409: conflict },
    { body: ruleBody },
  );
  document(
    'put',
    '/{id}',
    'Replace a rule made through the api (file rules are read-only)',
    { 200: jsonResponse(alertRuleSchema, 'The rule'), 404: notFound, 409: conflict },
    { params: idParam, body: ruleBody },
  );
  document(
    'delete',
    '/{id}',
    'Delete a rule made through the api',
    { 204: { description: 'Deleted' }, 404: notFound, 409: conflict },
    { params: idParam },
  );
  return app
    .get('/', async (c) => c.json({ rules: await alerts.rules.list() }))
    .get('/:id', async (c) => c.json(await alerts.rules.get(c.req.param('id'))))
    .post('/', async (c) => c.json(await alerts.rules.create(await readJson(c)), 201))
    .put('/:id', async (c) => c.json(await alerts.rules.update(c.req.param('id'), await readJson(c))))
    .delete('/:id', async (c) => {
      await alerts.rules.remove(c.req.param('id'));
      return c.body(null, 204);
    });
}
