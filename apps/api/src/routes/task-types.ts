import type { TaskRegistry } from '@foreman/core/producer';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/api-env.js';
import { commonErrors } from '../schemas/error.js';

const taskTypeSchema = z
  .object({
    name: z.string(),
    queue: z.string(),
    audience: z
      .enum(['user', 'system'])
      .openapi({ description: 'system: only admin keys and schedules may submit it' }),
    payloadSchema: z.record(z.string(), z.unknown()),
  })
  .passthrough()
  .openapi('TaskType');

/** Every registered task contract, with its payload as JSON Schema. */
export function taskTypeRoutes({ registry }: { registry: TaskRegistry }) {
  const described = registry.describe();
  return new OpenAPIHono<ApiEnv>().openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['tasks'],
      summary: 'Every task type with its payload as JSON Schema',
      responses: {
        200: {
          description: 'Task types',
          content: { 'application/json': { schema: z.object({ taskTypes: z.array(taskTypeSchema) }) } },
        },
        ...commonErrors,
      },
    }),
    (c) => c.json({ taskTypes: described as unknown as Array<z.infer<typeof taskTypeSchema>> }, 200),
  );
}
