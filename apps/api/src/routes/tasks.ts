import type { TaskClient } from '@foreman/core';
import { type Database, eq, tasks } from '@foreman/db';
import { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../http/api-error.js';
import { readJson } from '../http/read-json.js';

const submitQuery = z.object({
  userId: z.string().min(1).max(200).optional(),
  priority: z.coerce.number().int().min(0).optional(),
  delayMs: z.coerce.number().int().min(0).optional(),
});

export function taskRoutes({ client, database }: { client: TaskClient; database: Database }) {
  return new Hono()
    .post('/:name', async (c) => {
      const name = c.req.param('name');
      // Unknown names answer 404 before the body is even read.
      client.registry.get(name);
      const query = submitQuery.safeParse(c.req.query());
      if (!query.success) {
        throw new ApiError(400, 'QUERY_INVALID', 'Invalid query parameters', query.error.issues);
      }
      const payload = await readJson(c);
      const submitted = await client.submit(name, payload, query.data);
      return c.json({ ...submitted, status: 'pending' }, 202);
    })
    .get('/:id', async (c) => {
      const id = c.req.param('id');
      const [record] = await database.db.select().from(tasks).where(eq(tasks.id, id)).limit(1);
      if (!record) throw new ApiError(404, 'TASK_NOT_FOUND', `No task with id "${id}"`);
      return c.json(record);
    });
}
