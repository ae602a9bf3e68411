import type { RedisConnection, TaskRecordWriter } from '@foreman/core';
import type { Database } from '@foreman/db';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';

async function probe(check: () => Promise<unknown>): Promise<{ ok: boolean; ms?: number; error?: string }> {
  const started = performance.now();
  try {
    await check();
    return { ok: true, ms: performance.now() - started };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

const probeSchema = z.object({ ok: z.boolean(), ms: z.number().optional(), error: z.string().optional() });
const healthSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    redis: probeSchema,
    database: probeSchema.extend({ kind: z.string() }),
    records: z
      .object({
        quarantined: z.number().int(),
        dropped: z.number().int(),
        buffered: z.number().int(),
      })
      .optional()
      .openapi({
        description:
          'Task records of this process the database refused (quarantined) or that were dropped while it was away; informational, the status does not depend on them',
      }),
  })
  .openapi('Health');

/** `/health`: the process answers (liveness); `/ready`: Redis and the database answer too (503 if not). */
export function healthRoutes({
  redis,
  database,
  records,
}: {
  redis: RedisConnection;
  database: Database;
  records?: TaskRecordWriter | undefined;
}) {
  const app = new OpenAPIHono();
  const state = async () => {
    const [redisState, databaseState] = await Promise.all([
      probe(() => redis.ping()),
      probe(() => database.ping()),
    ]);
    const ok = redisState.ok && databaseState.ok;
    return {
      ok,
      body: {
        status: ok ? ('ok' as const) : ('unavailable' as const),
        redis: redisState,
        database: { ...databaseState, kind: database.kind },
        ...(records
          ? {
              records: {
                quarantined: records.stats.quarantined,
                dropped: records.stats.dropped,
                buffered: records.stats.buffered,
              },
            }
          : {}),
      },
    };
  };
  const responses = {
    200: { description: 'Healthy', content: { 'application/json': { schema: healthSchema } } },
    503: {
      description: 'Redis or the database does not answer',
      content: { 'application/json': { schema: healthSchema } },
    },
  };
  for (const path of ['/health', '/ready'] as const) {
    app.openapi(
      createRoute({
        method: 'get',
        path,
        tags: ['health'],
        summary: path === '/ready' ? 'Readiness' : 'Health with reachability of Redis and the database',
        responses,
      }),
      async (c) => {
        const { ok, body } = await state();
        return ok ? c.json(body, 200) : c.json(body, 503);
      },
    );
  }
  return app;
}
