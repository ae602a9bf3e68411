import {
  checkWithin,
  DEFAULT_HEALTH_CHECK_TIMEOUT_MS,
  type RedisConnection,
  type TaskRecordWriter,
} from '@foreman/core';
import type { Database } from '@foreman/db';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';

const probeSchema = z.object({ ok: z.boolean(), ms: z.number().optional(), error: z.string().optional() });
const reportShape = {
  service: z.literal('api'),
  uptimeMs: z.number(),
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
};
const liveSchema = z.object({ status: z.literal('ok'), ...reportShape }).openapi('Liveness');
const readySchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    ...reportShape,
    redis: probeSchema,
    database: probeSchema.extend({ kind: z.string() }),
  })
  .openapi('Readiness');

const timed = async (check: () => Promise<unknown>) => {
  const started = performance.now();
  await check();
  return performance.now() - started;
};

/**
 * `/health` (liveness): the process answers, nothing else is asked, so an outage of PostgreSQL or
 * Redis never gets a healthy api restarted. `/ready` (readiness): Redis and the database answer,
 * each within `timeoutMs` (503 if not), so a stalled server never holds the probe. Both report the
 * process's own figures (uptime, record updates).
 */
export function healthRoutes({
  redis,
  database,
  records,
  timeoutMs = DEFAULT_HEALTH_CHECK_TIMEOUT_MS,
}: {
  redis: RedisConnection;
  database: Database;
  records?: TaskRecordWriter | undefined;
  timeoutMs?: number | undefined;
}) {
  const app = new OpenAPIHono();
  const startedAt = Date.now();
  const report = () => ({
    service: 'api' as const,
    uptimeMs: Date.now() - startedAt,
    ...(records
      ? {
          records: {
            quarantined: records.stats.quarantined,
            dropped: records.stats.dropped,
            buffered: records.stats.buffered,
          },
        }
      : {}),
  });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/health',
      tags: ['health'],
      summary: 'Liveness: the process answers (no dependency is asked)',
      responses: { 200: { description: 'Alive', content: { 'application/json': { schema: liveSchema } } } },
    }),
    (c) => c.json({ status: 'ok' as const, ...report() }, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/ready',
      tags: ['health'],
      summary: 'Readiness: Redis and the database answer, each within HEALTH_CHECK_TIMEOUT_MS',
      responses: {
        200: { description: 'Ready', content: { 'application/json': { schema: readySchema } } },
        503: {
          description: 'Redis or the database does not answer in time',
          content: { 'application/json': { schema: readySchema } },
        },
      },
    }),
    async (c) => {
      const [redisState, databaseState] = await Promise.all([
        checkWithin(() => timed(() => redis.ping()), timeoutMs),
        checkWithin(() => database.ping(), timeoutMs),
      ]);
      const ok = redisState.ok && databaseState.ok;
      const body = {
        status: ok ? ('ok' as const) : ('unavailable' as const),
        ...report(),
        redis: redisState,
        database: { ...databaseState, kind: database.kind },
      };
      return ok ? c.json(body, 200) : c.json(body, 503);
    },
  );
  return app;
}
