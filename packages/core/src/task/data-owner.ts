/** Tables whose rows a payload may name by id; each row's `user_id` is its owner. */
export type OwnedTable = 'ai_tasks' | 'backups' | 'calendar_feeds' | 'mailboxes';

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

/** Finds the owner of a row a payload names, or undefined when there is no such row. */
export type RowOwnerLookup = (table: OwnedTable, id: string) => Promise<string | undefined>;
