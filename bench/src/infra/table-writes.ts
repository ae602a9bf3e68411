import { type Db, sql, tasks } from '@foreman/db';

export interface TableWrites {
  inserted: number;
  updated: number;
}

/**
 * Rows inserted into and updated in the `tasks` table of the connection's schema, per PostgreSQL:
 * summed over its partitions, which hold the rows (the partitioned parent counts none).
 */
export async function taskTableWrites(db: Db): Promise<TableWrites> {
  const { rows } = await db.execute<{ inserted: number; updated: number }>(sql`
    select coalesce(sum(n_tup_ins), 0)::int as inserted, coalesce(sum(n_tup_upd), 0)::int as updated
    from pg_stat_user_tables
    where relid = 'tasks'::regclass or relid in (select inhrelid from pg_inherits where inhparent = 'tasks'::regclass)`);
  return rows[0] ?? { inserted: 0, updated: 0 };
}

/**
 * PostgreSQL publishes a backend's table counters when the backend goes idle or exits, so they lag
 * the writes a little: wait until they account for every row in the table (or give up after a while).
 */
export async function settledTaskTableWrites(db: Db, timeoutMs = 15_000): Promise<TableWrites> {
  const rows = await db.$count(tasks);
  const until = Date.now() + timeoutMs;
  for (;;) {
    await db.execute(sql`select pg_stat_clear_snapshot()`);
    const writes = await taskTableWrites(db);
    if (writes.inserted >= rows || Date.now() > until) return writes;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
