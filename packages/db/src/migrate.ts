// Before pg: see node-navigator.ts.
import './node-navigator.js';
import { fileURLToPath } from 'node:url';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { Database } from './database.js';

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));
// Any fixed number works; every process that migrates takes the same session lock.
const MIGRATION_LOCK = 7_301_117;

/**
 * Brings the schema up to date. Safe to call from every process at start: an advisory lock
 * serialises concurrent callers, and applied migrations are skipped.
 */
export async function migrate(database: Database): Promise<void> {
  const { driver, schema } = database;
  const config = { migrationsFolder, migrationsSchema: schema, migrationsTable: '__migrations' };
  if (driver.kind === 'pglite') {
    const { migrateEmbedded } = await import('./embedded-database.js');
    await migrateEmbedded(driver.client, config);
    return;
  }
  const client = await driver.pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`create schema if not exists "${schema}"`);
    await migratePg(drizzlePg(client), config);
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}
