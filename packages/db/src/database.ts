// Before pg: see node-navigator.ts.
import './node-navigator.js';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
/** Both drivers answer raw queries with `{ rows }`; this lets `db.execute` say so. */
export interface RowsResultHKT extends PgQueryResultHKT {
  type: RowsResult<this['row']>;
}
export interface RowsResult<Row> {
  rows: Row[];
}
export type Db = PgDatabase<RowsResultHKT, Schema>;

export interface DatabaseOptions {
  /** postgres:// URL; when absent `openDatabase` opens an embedded PGlite database. */
  url?: string | undefined;
  /** PostgreSQL schema that holds the tables (search_path); tests use one per file. */
  schema?: string;
  /** Directory of the embedded database; `memory://` keeps it in memory. */
  dataDir?: string;
  /** Largest number of pooled connections to a PostgreSQL server. */
  poolSize?: number;
  /**
   * Longest wait for a new PostgreSQL connection, in milliseconds (pg `connectionTimeoutMillis`):
   * an unreachable or stalled server fails the query instead of holding it.
   * @defaultValue 5000
   */
  connectTimeoutMs?: number;
  /**
   * `statement_timeout` of every pooled connection, in milliseconds; 0: no limit.
   * @defaultValue 60000
   */
  statementTimeoutMs?: number;
}

export type Driver = { kind: 'postgres'; pool: pg.Pool } | { kind: 'pglite'; client: PGlite };

export interface Database {
  readonly db: Db;
  readonly kind: Driver['kind'];
  /** The underlying driver, for the few operations drizzle does not cover (locks, migrations). */
  readonly driver: Driver;
  readonly schema: string;
  /** Round-trip time of a trivial query, in milliseconds. */
  ping(): Promise<number>;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * The database of `options.url`, or an embedded PGlite under `options.dataDir` without one. PGlite
 * (its WebAssembly and drizzle driver) is loaded only then: processes on PostgreSQL never hold it.
 */
export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  if (options.url) return createDatabase({ ...options, url: options.url });
  const schemaName = checkedSchema(options.schema);
  const { openEmbeddedDatabase } = await import('./embedded-database.js');
  return openEmbeddedDatabase({ dataDir: options.dataDir ?? 'memory://', schema: schemaName });
}

/** A pool of connections to the PostgreSQL server at `options.url`. */
export function createDatabase(options: DatabaseOptions & { url: string }): Database {
  const schemaName = checkedSchema(options.schema);
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const statementTimeoutMs = options.statementTimeoutMs ?? 60_000;
  if (!Number.isInteger(connectTimeoutMs) || connectTimeoutMs <= 0)
    throw new Error(`connectTimeoutMs must be a positive integer, got ${connectTimeoutMs}`);
  if (!Number.isInteger(statementTimeoutMs) || statementTimeoutMs < 0)
    throw new Error(`statementTimeoutMs must be a non-negative integer, got ${statementTimeoutMs}`);

  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: connectTimeoutMs,
    options: `-c search_path=${schemaName} -c statement_timeout=${statementTimeoutMs}`,
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return databaseOf(
    drizzlePg(pool, { schema }) as unknown as Db,
    { kind: 'postgres', pool },
    schemaName,
    () => pool.end(),
  );
}

/** `db` on `driver` as a Database, pinged with a trivial query. */
export function databaseOf(db: Db, driver: Driver, schemaName: string, close: () => Promise<void>): Database {
  return { db, kind: driver.kind, driver, schema: schemaName, ping: () => timeQuery(db), close };
}

/** `schema` (default `public`), refused unless a plain identifier: it is spliced into SQL. */
export function checkedSchema(schemaName = 'public'): string {
  if (!SCHEMA_NAME.test(schemaName)) throw new Error(`Invalid database schema name "${schemaName}"`);
  return schemaName;
}

async function timeQuery(db: Db): Promise<number> {
  const started = performance.now();
  await db.execute(sql`select 1`);
  return performance.now() - started;
}
