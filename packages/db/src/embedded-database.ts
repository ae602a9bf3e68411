// Everything of PGlite in one module, imported only by processes that open an embedded database.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { type Database, type Db, databaseOf } from './database.js';
import * as schema from './schema/index.js';

/** An embedded PGlite database in `dataDir` (`memory://` keeps it in memory). */
export async function openEmbeddedDatabase(options: { dataDir: string; schema: string }): Promise<Database> {
  if (!options.dataDir.startsWith('memory://')) mkdirSync(options.dataDir, { recursive: true });
  return embeddedDatabase(new PGlite(options.dataDir), options.schema);
}

/** `client` as a Database; closing it closes the client. */
export function embeddedDatabase(client: PGlite, schemaName: string): Database {
  return databaseOf(
    drizzle(client, { schema }) as unknown as Db,
    { kind: 'pglite', client },
    schemaName,
    () => client.close(),
  );
}

/** Applies the migrations to an embedded database (a single session: no lock to take). */
export async function migrateEmbedded(
  client: PGlite,
  config: { migrationsFolder: string; migrationsSchema: string; migrationsTable: string },
): Promise<void> {
  await client.exec(`create schema if not exists "${config.migrationsSchema}"`);
  await client.exec(`set search_path to "${config.migrationsSchema}"`);
  await migrate(drizzle(client), config);
}
