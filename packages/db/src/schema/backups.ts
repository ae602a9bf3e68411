import { bigint, index, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { at } from './columns.js';

/** A finished backup of one user's records; the files and their manifest live under `path`. */
export const backups = pgTable(
  'backups',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: text('user_id').notNull(),
    path: text('path').notNull(),
    files: integer('files').notNull(),
    rows: integer('rows').notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
    /** SHA-256 of manifest.json, so a verify can tell the manifest itself was not altered. */
    manifestSha256: text('manifest_sha256').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
    verifiedAt: at('verified_at'),
  },
  (table) => [index('backups_user_created_idx').on(table.userId, table.createdAt)],
);

export type BackupRow = typeof backups.$inferSelect;
