// Before pg: see node-navigator.ts.
import './node-navigator.js';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type Database } from './database.js';
import { migrate } from './migrate.js';

/** The PostgreSQL that tests use; the machine's local server unless TEST_DATABASE_URL says otherwise. */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  readonly database: Database;
  readonly url: string;
  readonly schema: string;
  /** Closes the connections and drops the schema with everything in it. */
  drop(): Promise<void>;
}

/** A migrated, empty schema of its own on the test PostgreSQL, so test files never share rows. */
export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const schema = `${label.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(5).toString('hex')}`;
  const database = createDatabase({ url: testDatabaseUrl, schema, poolSize: 4 });
  await migrate(database);
  return {
    database,
    url: testDatabaseUrl,
    schema,
    async drop() {
      await database.close();
      const client = new pg.Client({ connectionString: testDatabaseUrl });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}
