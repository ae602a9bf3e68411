import type { Database } from '@foreman/db';
import { Hono } from 'hono';
import type { Redis } from 'ioredis';

async function probe(check: () => Promise<unknown>): Promise<{ ok: boolean; ms?: number; error?: string }> {
  const started = performance.now();
  try {
    await check();
    return { ok: true, ms: performance.now() - started };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** Reports whether Redis and the database answer; 503 when either does not. */
export function healthRoutes({ redis, database }: { redis: Redis; database: Database }) {
  return new Hono().get('/', async (c) => {
    const [redisState, databaseState] = await Promise.all([
      probe(() => redis.ping()),
      probe(() => database.ping()),
    ]);
    const ok = redisState.ok && databaseState.ok;
    return c.json(
      {
        status: ok ? 'ok' : 'unavailable',
        redis: redisState,
        database: { ...databaseState, kind: database.kind },
      },
      ok ? 200 : 503,
    );
  });
}
