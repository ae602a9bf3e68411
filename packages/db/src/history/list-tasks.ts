import { and, eq, gte, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { type TaskRecord, tasks } from '../schema/tasks.js';
import { WEEK_MS, weekStart } from './history-partitions.js';

/** One page of the newest-first task list. */
export interface TaskPageQuery {
  /** Conditions every row meets: user, status, name, free text, payload fields... */
  where?: SQL[];
  /** Only rows created at or after this time. */
  from?: Date | undefined;
  /** Only rows created before this time. */
  to?: Date | undefined;
  /** Only rows after this keyset position (the last row of the previous page). */
  after?: { createdAt: Date; id: string } | undefined;
  /** Rows wanted; fewer come back only when fewer match. */
  limit: number;
}

/**
 * Newest first, spelled as the keyset indexes are (`DESC NULLS LAST`): a plain `DESC` means
 * `NULLS FIRST`, which those indexes cannot return in order, so every match would be sorted.
 */
const NEWEST_FIRST = [sql`${tasks.createdAt} desc nulls last`, sql`${tasks.id} desc nulls last`];

/**
 * Weeks each step of the walk reads, after the first (the anchor's week and everything newer),
 * before the last one reads all that is older. Doubling keeps a sparse user's page to a few
 * statements; 15 weeks covers the default 90-day window, and the DEFAULT partition's old rows
 * come last.
 */
const STEP_WEEKS = [1, 2, 4, 8];

/**
 * The newest `limit` tasks that match, newest first by `(created_at, id)`: the api's list and
 * search query (docs/run-history.md#how-a-page-is-read).
 *
 * One statement over every weekly partition cannot read them in order (the DEFAULT partition rules
 * out an ordered Append, so it is a Merge Append that plans and starts every partition, or a sort
 * of every match). The walk instead reads week-aligned ranges of `created_at`, newest first, each
 * with its bounds as values so the planner keeps only those weeks' partitions, and stops as soon
 * as the page is full. The ranges are disjoint and cover all time, so their pages concatenated
 * are the single statement's page.
 */
export async function listTasks(db: Db, query: TaskPageQuery): Promise<TaskRecord[]> {
  const where: SQL[] = [...(query.where ?? [])];
  if (query.from) where.push(gte(tasks.createdAt, query.from));
  if (query.to) where.push(lt(tasks.createdAt, query.to));
  const { after } = query;
  if (after) {
    where.push(
      or(
        lt(tasks.createdAt, after.createdAt),
        and(eq(tasks.createdAt, after.createdAt), lt(tasks.id, after.id)),
      ) as SQL,
    );
  }
  // The newest a matching row can be is before `to` and at or before the cursor; rows after "now"
  // (a client's clock ahead) are still read, as the first range has no upper bound.
  let newest = Date.now();
  if (query.to) newest = Math.min(newest, query.to.getTime() - 1);
  if (after) newest = Math.min(newest, after.createdAt.getTime());
  const floor = query.from?.getTime() ?? Number.NEGATIVE_INFINITY;

  const page: TaskRecord[] = [];
  let upper: Date | undefined;
  let lower: Date | undefined = weekStart(new Date(newest));
  for (let step = 0; page.length < query.limit; step += 1) {
    const range = [...where];
    if (lower && lower.getTime() > floor) range.push(gte(tasks.createdAt, lower));
    if (upper) range.push(lt(tasks.createdAt, upper));
    const rows = await db
      .select()
      .from(tasks)
      .where(and(...range))
      .orderBy(...NEWEST_FIRST)
      .limit(query.limit - page.length);
    page.push(...rows);
    if (!lower || lower.getTime() <= floor) break;
    upper = lower;
    const weeks = STEP_WEEKS[step];
    lower = weeks === undefined ? undefined : new Date(upper.getTime() - weeks * WEEK_MS);
  }
  return page;
}
