import type { WorkflowClient } from '@foreman/workflows';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/api-env.js';
import { ApiError } from '../http/api-error.js';
import { validationHook } from '../http/validation-hook.js';
import type { ReadScope, ReadTokens } from '../read-tokens/read-tokens.js';
import { commonErrors, errorContent, notFound, taskForbidden } from '../schemas/error.js';
import { jsonResponse } from '../schemas/json-response.js';
import { noQuery, taskIdParams } from '../schemas/task.js';
import type { TaskService } from '../services/task-service.js';
import { visibleWorkflow } from './workflows.js';

const tags = ['read tokens'];

const readTokenSchema = z
  .object({
    token: z.string().openapi({ description: 'Send as `Authorization: Bearer <token>`; starts with `fmr_`' }),
    expiresAt: z.string().openapi({ description: 'ISO time after which the token is refused (401)' }),
  })
  .openapi('ReadToken');

const minted = jsonResponse(readTokenSchema, 'A read-only token');
const disabled = errorContent('READ_TOKENS_DISABLED: the api has no READ_TOKEN_SECRET');
const readTokenDescription =
  'For a browser, which must never hold an api key: the token reads only what it names (401 once expired, 403 for anything else, never a submit or cancel).';

/**
 * Minting of browsers' read tokens: for a task or workflow run the key may see (its owner, or an
 * admin), or for the key's own user's events. A read token cannot mint another (it only reads).
 */
export function readTokenRoutes({
  readTokens,
  tasks,
  workflows,
}: {
  readTokens: ReadTokens | undefined;
  tasks: Pick<TaskService, 'get'>;
  workflows: Pick<WorkflowClient, 'status'>;
}) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  /** A token reads as the owner of what it names: a system task or workflow (no user) has none. */
  const mint = (userId: string | null, scope: ReadScope) => {
    if (!readTokens) {
      throw new ApiError('READ_TOKENS_DISABLED', 'Read tokens are off: the api has no READ_TOKEN_SECRET');
    }
    if (userId === null) {
      throw new ApiError('TASK_FORBIDDEN', `A system ${scope.kind} has no user to mint a read token for`);
    }
    return readTokens.mint({ userId, scope });
  };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tasks/{id}/token',
      tags,
      summary: 'A read token for one task: GET /tasks/{id} and GET /events?taskId={id}',
      description: readTokenDescription,
      request: { params: taskIdParams, query: noQuery },
      responses: { 201: minted, 403: taskForbidden, 404: notFound, ...commonErrors },
    }),
    async (c) => {
      const record = await tasks.get(c.get('identity'), c.req.valid('param').id);
      return c.json(await mint(record.userId, { kind: 'task', id: record.id }), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workflows/{id}/token',
      tags,
      summary: 'A read token for one workflow run: GET /workflows/{id} and GET /events?workflowId={id}',
      description: readTokenDescription,
      request: { params: z.object({ id: z.string().min(1).max(200) }), query: noQuery },
      responses: { 201: minted, 403: taskForbidden, 404: notFound, ...commonErrors },
    }),
    async (c) => {
      const view = await visibleWorkflow(workflows, c.get('identity'), c.req.valid('param').id);
      return c.json(await mint(view.userId, { kind: 'workflow', id: view.id }), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/events/token',
      tags,
      summary: "A read token for the key's own user's event stream: GET /events",
      description: readTokenDescription,
      request: { query: noQuery },
      responses: { 201: minted, 404: disabled, ...commonErrors },
    }),
    async (c) => c.json(await mint(c.get('identity').userId, { kind: 'user' }), 201),
  );
  return app;
}
