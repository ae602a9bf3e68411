import { boolean, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Keys of the api. Only a SHA-256 of each key is stored; the key itself is shown once, at creation. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    keyHash: text('key_hash').notNull().unique(),
    /** Shown in listings so an operator can tell keys apart without seeing them. */
    prefix: text('prefix').notNull(),
    userId: text('user_id').notNull(),
    admin: boolean('admin').notNull().default(false),
    label: text('label'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [index('api_keys_user_idx').on(table.userId)],
);

export type ApiKeyRow = typeof apiKeys.$inferSelect;
