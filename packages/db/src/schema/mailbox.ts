import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { at } from './columns.js';

export const MAILBOX_AUTH_KINDS = ['password', 'oauth'] as const;
export type MailboxAuthKind = (typeof MAILBOX_AUTH_KINDS)[number];

/**
 * A user's IMAP mailbox. `secret` is the credentials (a password, or OAuth tokens) sealed with
 * AES-256-GCM under the key `secret_key_id` names (`@foreman/imap`); it is never stored or
 * returned in the clear.
 */
export const mailboxes = pgTable(
  'mailboxes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: text('user_id').notNull(),
    host: text('host').notNull(),
    port: integer('port').notNull(),
    /** Implicit TLS (993); false: plain connection upgraded with STARTTLS when the server offers it. */
    tls: boolean('tls').notNull().default(true),
    username: text('username').notNull(),
    authKind: text('auth_kind').$type<MailboxAuthKind>().notNull(),
    secret: text('secret').notNull(),
    secretKeyId: text('secret_key_id').notNull(),
    /** OAuth: the provider's token endpoint for refreshes (else the worker's OAUTH_TOKEN_URL). */
    tokenEndpoint: text('token_endpoint'),
    /** OAuth: when the access token expires. */
    tokenExpiresAt: at('token_expires_at'),
    /** Its OAuth grant is gone (refresh refused or impossible): the user must connect it again. */
    needsReconsent: boolean('needs_reconsent').notNull().default(false),
    folders: text('folders').array().notNull().default(sql`'{INBOX}'::text[]`),
    /** Synced messages older than this many days are removed from the database; null keeps them. */
    retentionDays: integer('retention_days'),
    lastError: text('last_error'),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('mailboxes_user_account_idx').on(table.userId, table.host, table.username),
    index('mailboxes_token_expiry_idx').on(table.tokenExpiresAt),
    check('mailboxes_auth_kind_check', sql`${table.authKind} in ('password', 'oauth')`),
    check('mailboxes_retention_check', sql`${table.retentionDays} is null or ${table.retentionDays} > 0`),
  ],
);

/**
 * Sync state of one folder of a mailbox: the server's UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ at
 * the last sync. `full_sync_through_uid` is set while a full sync is under way (the highest UID
 * stored so far), so a retried full sync resumes after it; null once the folder is in sync.
 */
export const mailboxFolders = pgTable(
  'mailbox_folders',
  {
    /** Removed with its mailbox (by the store, in one transaction: the schema has no foreign keys). */
    mailboxId: uuid('mailbox_id').notNull(),
    folder: text('folder').notNull(),
    uidValidity: bigint('uid_validity', { mode: 'number' }),
    uidNext: bigint('uid_next', { mode: 'number' }),
    /** Null when the server has no CONDSTORE. */
    highestModseq: bigint('highest_modseq', { mode: 'bigint' }),
    fullSyncThroughUid: bigint('full_sync_through_uid', { mode: 'number' }),
    lastSyncAt: at('last_sync_at'),
    lastFullSyncAt: at('last_full_sync_at'),
  },
  (table) => [primaryKey({ columns: [table.mailboxId, table.folder] })],
);

export type MailboxRow = typeof mailboxes.$inferSelect;
export type MailboxFolderRow = typeof mailboxFolders.$inferSelect;
