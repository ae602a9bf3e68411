import { aiTasks, backups, calendarFeeds, type Db, eq, mailboxes } from '@foreman/db';

/** Tables whose rows a payload may name by id; each row's `user_id` is its owner. */
const OWNED_ROWS = { ai_tasks: aiTasks, backups, calendar_feeds: calendarFeeds, mailboxes } as const;

export type OwnedTable = keyof typeof OWNED_ROWS;

/** The payload acts on the data of every user (a batch run): only admins and the system may. */
export const EVERY_USER = 'every-user';

/**
 * Whose data a payload of a `user` task acts on: one user's (`userId`), the owner of a row the
 * payload names (`table` and `id`, looked up at submit), or `EVERY_USER`.
 */
export type DataOwner =
  | { readonly userId: string }
  | { readonly table: OwnedTable; readonly id: string }
  | typeof EVERY_USER;

/** The owner of a row, or undefined when there is no such row. */
export async function ownerOfRow(db: Db, table: OwnedTable, id: string): Promise<string | undefined> {
  const rows = OWNED_ROWS[table];
  const [row] = await db.select({ userId: rows.userId }).from(rows).where(eq(rows.id, id)).limit(1);
  return row?.userId;
}
