import { aiTasks, backups, calendarFeeds, type Db, eq, mailboxes } from '@foreman/db';
import type { OwnedTable, RowOwnerLookup } from './data-owner.js';

const OWNED_ROWS = {
  ai_tasks: aiTasks,
  backups,
  calendar_feeds: calendarFeeds,
  mailboxes,
} as const satisfies Record<OwnedTable, unknown>;

/**
 * Looks row owners up in the database, for `TaskClient`'s `rowOwner` (kept out of the client so a
 * service that only submits does not load the database driver).
 */
export function rowOwnerLookup(db: Db): RowOwnerLookup {
  return async (table, id) => {
    const rows = OWNED_ROWS[table];
    const [row] = await db.select({ userId: rows.userId }).from(rows).where(eq(rows.id, id)).limit(1);
    return row?.userId;
  };
}
