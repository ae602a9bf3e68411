import type { ApiKeyIdentity } from '@foreman/db';
import { parseWorkflowDefinition, type WorkflowClient, type WorkflowView } from '@foreman/workflows';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/api-env.js';
import { ApiError } from '../http/api-error.js';
import { validationHook } from '../http/validation-hook.js';
import { commonErrors, notFound, taskForbidden } from '../schemas/error.js';
import { idempotencyHeaders, idempotencyReused } from '../schemas/idempotency.js';
import { jsonResponse } from '../schemas/json-response.js';
import { noQuery } from '../schemas/task.js';
import { errorFor } from '../services/error-view.js';
import type { IdempotentRequests } from '../services/idempotent-requests.js';
import { type SubmitQuota, withinQuota } from '../services/submit-quota.js';
import { TaskService } from '../services/task-service.js';

const tags = ['workflows'];
const workflowSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.string(),
    userId: z.string().nullable(),
    nodes: z.array(z.unknown()),
  })
  .passthrough()
  .openapi('Workflow');
const definitionBody = z.record(z.string(), z.unknown()).openapi('WorkflowDefinition', {
  description: '`{ name, nodes: [{ key, task, payload?, dependsOn?, when?, timeoutMs? }] }`',
});
const idParams = z.object({ id: z.string().min(1).max(200) });

/** A workflow run the key may see: its user's, or any for an admin (404 otherwise, as for no such run). */
export async function visibleWorkflow(
  workflows: Pick<WorkflowClient, 'status'>,
  identity: ApiKeyIdentity,
  id: string,
): Promise<WorkflowView> {
  const view = await workflows.status(id).catch(() => undefined);
  if (!view || (!identity.admin && view.userId !== identity.userId)) {
    throw new ApiError('WORKFLOW_NOT_FOUND', `No workflow with id "${id}"`);
  }
  return view;
}

/** Task graphs submitted as one unit, scoped to the key's user like tasks. */
export function workflowRoutes({
  workflows,
  quota,
  idempotent,
}: {
  workflows: WorkflowClient;
  /** Answers a repeated `Idempotency-Key` with the first request's answer. */
  idempotent: IdempotentRequests;
  /** The per-user submit quota, when one is set: a workflow counts as many tasks as it has nodes. */
  quota?: SubmitQuota | undefined;
}) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  const visible = (identity: ApiKeyIdentity, id: string) => visibleWorkflow(workflows, identity, id);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags,
      summary: 'Submit a workflow: checked whole, stored, then its root nodes are queued',
      request: {
        query: noQuery,
        headers: idempotencyHeaders,
        body: { content: { 'application/json': { schema: definitionBody } }, required: true },
      },
      responses: {
        202: jsonResponse(
          z.object({ workflowId: z.string(), name: z.string(), status: z.string() }),
          'Submitted',
        ),
        403: taskForbidden,
        422: idempotencyReused,
        ...commonErrors,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const definition = parseWorkflowDefinition(body);
      const { userId } = c.get('identity');
      const { answer, replayed } = await idempotent.run(
        { userId, route: 'POST /workflows', key: c.req.valid('header')['idempotency-key'], request: body },
        () =>
          withinQuota(quota, userId, definition.nodes.length, () =>
            workflows.submit(definition, { userId, submitter: TaskService.submitter(c.get('identity')) }),
          ),
      );
      if (replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(answer, 202);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags,
      summary: 'The workflow with the status, timings, result or error of every node',
      request: { params: idParams },
      responses: { 200: jsonResponse(workflowSchema, 'The workflow'), 404: notFound, ...commonErrors },
    }),
    async (c) => {
      const identity = c.get('identity');
      const view = await visible(identity, c.req.valid('param').id);
      const nodes = view.nodes.map((node) => ({ ...node, error: errorFor(identity, node.error) }));
      return c.json(JSON.parse(JSON.stringify({ ...view, nodes })), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/{id}/cancel',
      tags,
      summary: 'Stop a running workflow',
      request: { params: idParams },
      responses: {
        200: jsonResponse(
          z.object({ workflowId: z.string(), cancelled: z.boolean() }),
          'false when it had already finished',
        ),
        404: notFound,
        ...commonErrors,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await visible(c.get('identity'), id);
      return c.json({ workflowId: id, cancelled: await workflows.cancel(id) }, 200);
    },
  );
  return app;
}
