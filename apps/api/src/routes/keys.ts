import type { ApiKeyStore } from '@foreman/db';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/api-env.js';
import { ApiError } from '../http/api-error.js';
import { validationHook } from '../http/validation-hook.js';
import { requireAdmin } from '../middleware/require-admin/index.js';
import { commonErrors, forbidden, notFound } from '../schemas/error.js';
import { jsonResponse } from '../schemas/json-response.js';

const tags = ['keys'];
const keySchema = z
  .object({
    id: z.string(),
    prefix: z.string().openapi({ description: 'First characters of the key, to tell keys apart' }),
    userId: z.string(),
    admin: z.boolean(),
    label: z.string().nullable(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi('ApiKey');
const identitySchema = z
  .object({ id: z.string(), userId: z.string(), admin: z.boolean() })
  .openapi('Identity');

/** `/me` for every key; listing, creating and revoking keys for admin keys. */
export function keyRoutes({ keys }: { keys: ApiKeyStore }) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/me',
      tags,
      summary: 'Who this key is',
      responses: { 200: jsonResponse(identitySchema, 'The identity'), ...commonErrors },
    }),
    (c) => c.json(c.get('identity'), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/keys',
      tags,
      summary: 'Every api key, without secrets (admin)',
      middleware: [requireAdmin()] as const,
      responses: {
        200: jsonResponse(z.object({ keys: z.array(keySchema) }), 'Keys'),
        403: forbidden,
        ...commonErrors,
      },
    }),
    async (c) => {
      const listed = await keys.list();
      return c.json(
        {
          keys: listed.map((key) => ({
            ...key,
            createdAt: key.createdAt.toISOString(),
            revokedAt: key.revokedAt?.toISOString() ?? null,
          })),
        },
        200,
      );
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/keys',
      tags,
      summary: 'Create a key; the secret is in this answer only (admin)',
      middleware: [requireAdmin()] as const,
      request: {
        body: {
          content: {
            'application/json': {
              schema: z
                .object({
                  userId: z.string().min(1).max(200),
                  admin: z.boolean().default(false),
                  label: z.string().max(200).optional(),
                })
                .strict(),
            },
          },
          required: true,
        },
      },
      responses: {
        201: jsonResponse(identitySchema.extend({ key: z.string() }), 'Created'),
        403: forbidden,
        ...commonErrors,
      },
    }),
    async (c) => c.json(await keys.create(c.req.valid('json')), 201),
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/keys/{id}',
      tags,
      summary: 'Revoke a key (admin)',
      middleware: [requireAdmin()] as const,
      request: { params: z.object({ id: z.string().min(1).max(200) }) },
      responses: {
        200: jsonResponse(z.object({ id: z.string(), revoked: z.literal(true) }), 'Revoked'),
        403: forbidden,
        404: notFound,
        ...commonErrors,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      if (!(await keys.revoke(id))) throw new ApiError('KEY_NOT_FOUND', `No live key with id "${id}"`);
      return c.json({ id, revoked: true as const }, 200);
    },
  );
  return app;
}
