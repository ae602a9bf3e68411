import { boolean, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { at } from './columns.js';

/** A page mirrored from a remote pages API (Notion's shape). */
export const pages = pgTable(
  'pages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    source: text('source').notNull(),
    remoteId: text('remote_id').notNull(),
    title: text('title').notNull().default(''),
    url: text('url'),
    properties: jsonb('properties').$type<Record<string, unknown>>().notNull().default({}),
    archived: boolean('archived').notNull().default(false),
    remoteModifiedAt: at('remote_modified_at').notNull(),
    syncedAt: at('synced_at').notNull().defaultNow(),
  },
  (table) => [uniqueIndex('pages_source_remote_id_idx').on(table.source, table.remoteId)],
);

/** Where an incremental sync left off, by name (e.g. "notion:pages"). */
export const syncCursors = pgTable('sync_cursors', {
  name: text('name').primaryKey(),
  cursor: text('cursor'),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export type PageRow = typeof pages.$inferSelect;
