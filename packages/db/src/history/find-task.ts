import { and, eq } from 'drizzle-orm';
import type { Db } from '../database.js';
import { type TaskRecord, taskIds, tasks } from '../schema/tasks.js';

/**
 * Task `id`'s record, or undefined. Two index lookups: its created_at from `task_ids`, then the
 * row by its whole key. The key's value is known when the second query is planned, so only that
 * week's partition is planned and read; a single query with a subquery would plan every partition.
 */
export async function findTask(db: Db, id: string): Promise<TaskRecord | undefined> {
  const [key] = await db.select({ createdAt: taskIds.createdAt }).from(taskIds).where(eq(taskIds.id, id));
  if (!key) return undefined;
  const [record] = await db
    .select()
    .from(tasks)
    .where(and(eq(tasks.id, id), eq(tasks.createdAt, key.createdAt)));
  return record;
}
