import { maintenance } from '@foreman/contracts';
import { implementTask } from '@foreman/core/task';
import { type Database, sql } from '@foreman/db';

/**
 * VACUUM (ANALYZE), or ANALYZE only, of every table in the system's schema, one table at a time
 * (VACUUM cannot run in a transaction and locks only the table at hand). A partitioned table is
 * one entry: its partitions are done through it, and autovacuum never analyzes the parent.
 */
export function optimizeDatabaseTask({ database }: { database: Database }) {
  return implementTask(maintenance.optimizeDatabase, async ({ analyzeOnly }, context) => {
    const { db, schema } = database;
    const listed = await db.execute<{ table: string; dead: number | null }>(
      sql`select t.tablename as "table", s.n_dead_tup::int as dead
          from pg_tables t
          join pg_class c on c.relname = t.tablename and c.relnamespace = t.schemaname::regnamespace
          left join pg_stat_user_tables s on s.schemaname = t.schemaname and s.relname = t.tablename
          where t.schemaname = ${schema} and not c.relispartition
          order by t.tablename`,
    );
    const operation = analyzeOnly ? 'ANALYZE' : 'VACUUM (ANALYZE)';
    const tables: Array<{ table: string; deadRowsBefore: number | null; ms: number }> = [];
    const errors: Array<{ id: string; error: string }> = [];
    for (const [index, { table, dead }] of listed.rows.entries()) {
      context.signal.throwIfAborted();
      const started = performance.now();
      try {
        await db.execute(sql`${sql.raw(operation)} ${sql.identifier(schema)}.${sql.identifier(table)}`);
        tables.push({ table, deadRowsBefore: dead, ms: performance.now() - started });
      } catch (error) {
        errors.push({ id: table, error: (error as Error).message });
      }
      await context.progress(((index + 1) / listed.rows.length) * 100, table);
    }
    return { operation, tables, errors };
  });
}
