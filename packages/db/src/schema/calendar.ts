import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { at } from './columns.js';

/** An iCalendar feed a user subscribes to, with the validator of the last fetch. */
export const calendarFeeds = pgTable('calendar_feeds', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: text('user_id').notNull(),
  url: text('url').notNull(),
  etag: text('etag'),
  lastSyncedAt: at('last_synced_at'),
  lastError: text('last_error'),
  createdAt: at('created_at').notNull().defaultNow(),
});

/** An event from a feed. Local edits set `localModifiedAt`; a sync compares it with the remote's. */
export const calendarEvents = pgTable(
  'calendar_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    feedId: uuid('feed_id').notNull(),
    userId: text('user_id').notNull(),
    uid: text('uid').notNull(),
    summary: text('summary').notNull().default(''),
    description: text('description'),
    location: text('location'),
    startsAt: at('starts_at').notNull(),
    endsAt: at('ends_at'),
    allDay: boolean('all_day').notNull().default(false),
    sequence: integer('sequence').notNull().default(0),
    remoteModifiedAt: at('remote_modified_at'),
    localModifiedAt: at('local_modified_at'),
    syncedAt: at('synced_at').notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('calendar_events_feed_uid_idx').on(table.feedId, table.uid),
    index('calendar_events_user_start_idx').on(table.userId, table.startsAt),
  ],
);

/** Every time a remote change met a local edit: both sides and which one won. */
export const calendarConflicts = pgTable('calendar_conflicts', {
  id: uuid('id').primaryKey().defaultRandom(),
  feedId: uuid('feed_id').notNull(),
  uid: text('uid').notNull(),
  winner: text('winner').notNull(),
  localModifiedAt: at('local_modified_at'),
  remoteModifiedAt: at('remote_modified_at'),
  local: jsonb('local').$type<Record<string, unknown>>().notNull(),
  remote: jsonb('remote').$type<Record<string, unknown>>().notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
});

export type CalendarFeedRow = typeof calendarFeeds.$inferSelect;
export type CalendarEventRow = typeof calendarEvents.$inferSelect;
