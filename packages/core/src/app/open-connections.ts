import { join } from 'node:path';
import type { BaseEnv } from '@foreman/config';
import { type Database, migrate, openDatabase } from '@foreman/db';
import { createRedis, type RedisConnection } from '../redis/create-redis.js';

export interface AppConnections {
  readonly database: Database;
  readonly redis: RedisConnection;
}

/**
 * What every app opens first: its database, migrated to the current schema (an embedded PGlite
 * under DATA_DIR/<service> when no DATABASE_URL is set), and its Redis (a cluster when configured).
 */
export async function openConnections(
  service: string,
  env: Pick<
    BaseEnv,
    | 'DATABASE_URL'
    | 'DATABASE_SCHEMA'
    | 'DATABASE_CONNECT_TIMEOUT_MS'
    | 'DATABASE_STATEMENT_TIMEOUT_MS'
    | 'DATA_DIR'
    | 'REDIS_URL'
    | 'REDIS_CLUSTER'
  >,
): Promise<AppConnections> {
  const database = await openDatabase({
    url: env.DATABASE_URL,
    schema: env.DATABASE_SCHEMA,
    connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    dataDir: join(env.DATA_DIR, service, 'pglite'),
  });
  await migrate(database);
  return { database, redis: createRedis(env.REDIS_URL, { cluster: env.REDIS_CLUSTER }) };
}
