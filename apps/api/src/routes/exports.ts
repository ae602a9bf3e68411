import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { and, type Db, desc, eq, userExports } from '@foreman/db';
import { resolveInsideRoots } from '@foreman/files';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/api-env.js';
import { ApiError } from '../http/api-error.js';
import { validationHook } from '../http/validation-hook.js';
import { commonErrors, notFound } from '../schemas/error.js';
import { jsonResponse } from '../schemas/json-response.js';

const tags = ['exports'];
const exportSchema = z
  .object({
    id: z.string(),
    messages: z.number().int(),
    bytes: z.number().int(),
    sha256: z.string(),
    createdAt: z.string(),
  })
  .openapi('UserExport');

/**
 * The zips file.export_user_data wrote, each visible to its owner only (404 to anyone else,
 * admins included: an export is a user's mail). Served only from inside `roots`.
 */
export function exportRoutes({ db, roots }: { db: Db; roots: readonly string[] }) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags,
      summary: "The key's user's exports, newest first",
      responses: {
        200: jsonResponse(z.object({ exports: z.array(exportSchema) }), 'Exports'),
        ...commonErrors,
      },
    }),
    async (c) => {
      const rows = await db
        .select()
        .from(userExports)
        .where(eq(userExports.userId, c.get('identity').userId))
        .orderBy(desc(userExports.createdAt));
      return c.json(
        {
          exports: rows.map((row) => ({
            id: row.id,
            messages: row.messages,
            bytes: row.bytes,
            sha256: row.sha256,
            createdAt: row.createdAt.toISOString(),
          })),
        },
        200,
      );
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}/download',
      tags,
      summary: 'The export as a zip; Content-Digest carries its SHA-256',
      request: { params: z.object({ id: z.uuid() }) },
      responses: {
        200: { description: 'The zip', content: { 'application/zip': { schema: z.string() } } },
        404: notFound,
        ...commonErrors,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const [row] = await db
        .select()
        .from(userExports)
        .where(and(eq(userExports.id, id), eq(userExports.userId, c.get('identity').userId)));
      if (!row) throw new ApiError('EXPORT_NOT_FOUND', `No export with id "${id}"`);
      // The row names the file; serve it only if it really lies inside the roots (no symlink out).
      const path = await resolveInsideRoots(row.path, roots).catch(() => {
        throw new ApiError('EXPORT_FILE_GONE', `The file of export "${id}" is no longer there`);
      });
      const { size } = await stat(path);
      const digest = Buffer.from(row.sha256, 'hex').toString('base64');
      return c.body(Readable.toWeb(createReadStream(path)) as ReadableStream, 200, {
        'content-type': 'application/zip',
        'content-length': String(size),
        'content-disposition': `attachment; filename="foreman-export-${row.id}.zip"`,
        'content-digest': `sha-256=:${digest}:`,
      });
    },
  );
  return app;
}
