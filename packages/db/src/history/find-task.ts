import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { type TaskRecord, taskIds, tasks } from '../schema/tasks.js';

/**
 * The lookup as a named prepared statement, one per database handle: each pooled connection
 * parses it once, and after PostgreSQL's first five custom plans it keeps the generic one.
 */
const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();

function prepare(db: Db) {
  const id = sql.placeholder('id');
  const createdAt = sql`(select ${taskIds.createdAt} from ${taskIds} where ${taskIds.id} = ${id})`;
  return db
    .select()
    .from(tasks)
    .where(and(eq(tasks.id, id), eq(tasks.createdAt, createdAt)))
    .prepare('foreman_find_task');
}

/**
 * Task `id`'s record, or undefined: one statement, one round trip. Its created_at comes from
 * `task_ids` in a subquery, so the partition is chosen while executing (run-time pruning): only
 * that week's partition is read. Planning every partition on each call would cost more than the
 * lookup, which is why the statement is prepared once and its generic plan reused
 * (docs/history-partitions.md#lookups-by-id).
 */
export async function findTask(db: Db, id: string): Promise<TaskRecord | undefined> {
  let query = prepared.get(db);
  if (!query) {
    query = prepare(db);
    prepared.set(db, query);
  }
  const [record] = await query.execute({ id });
  return record;
}
