import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  pgTable,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { at } from './columns.js';

/** A message waiting to be sent, or sent; its delivery is tracked per recipient. */
export const emailOutbox = pgTable(
  'email_outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: text('user_id'),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html'),
    /** Set by producers that must not queue the same message twice (e.g. one digest per day). */
    dedupeKey: text('dedupe_key'),
    /** pending until every recipient is settled, then sent, failed or partial. */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: at('created_at').notNull().defaultNow(),
    completedAt: at('completed_at'),
  },
  (table) => [
    uniqueIndex('email_outbox_dedupe_key_idx').on(table.dedupeKey),
    index('email_outbox_status_idx').on(table.status, table.createdAt),
    check('email_outbox_status_check', sql`${table.status} in ('pending', 'sent', 'failed', 'partial')`),
  ],
);

/**
 * One row per recipient of an outbox message. `sending` is claimed before the SMTP transaction, so
 * a crash mid-send leaves evidence and the address is never sent to again.
 */
export const emailOutboxRecipients = pgTable(
  'email_outbox_recipients',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    messageId: uuid('message_id').notNull(),
    address: text('address').notNull(),
    status: text('status').notNull().default('pending'),
    error: text('error'),
    smtpMessageId: text('smtp_message_id'),
    claimedAt: at('claimed_at'),
    sentAt: at('sent_at'),
  },
  (table) => [
    uniqueIndex('email_outbox_recipients_message_address_idx').on(table.messageId, table.address),
    check(
      'email_outbox_recipients_status_check',
      sql`${table.status} in ('pending', 'sending', 'sent', 'failed')`,
    ),
  ],
);

/** Who gets the daily digest, at which address. */
export const emailDigestSubscriptions = pgTable('email_digest_subscriptions', {
  userId: text('user_id').primaryKey(),
  address: text('address').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  createdAt: at('created_at').notNull().defaultNow(),
});

/**
 * Messages received for a user, sorted into a category by rules (and optionally a model). Rows
 * synced from a mailbox carry where they are on the server (`mailbox_id`, `folder`, `uid`); one
 * row per message there, so a sync upserts.
 */
export const inboundEmails = pgTable(
  'inbound_emails',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: text('user_id').notNull(),
    fromAddress: text('from_address').notNull(),
    subject: text('subject').notNull().default(''),
    /** Body text, cut at the syncing worker's limit. */
    body: text('body').notNull().default(''),
    receivedAt: at('received_at').notNull().defaultNow(),
    category: text('category'),
    /** rule id, "ai" or "default": what decided the category. */
    categorizedBy: text('categorized_by'),
    categorizedAt: at('categorized_at'),
    mailboxId: uuid('mailbox_id'),
    folder: text('folder'),
    uid: bigint('uid', { mode: 'number' }),
    /** The Message-ID header. */
    messageId: text('message_id'),
    toAddresses: text('to_addresses').array(),
    /** IMAP flags and keywords (`\Seen`, `$Label`), or Gmail labels where the server has them. */
    flags: text('flags').array(),
    sizeBytes: integer('size_bytes'),
    snippet: text('snippet'),
  },
  (table) => [
    index('inbound_emails_uncategorized_idx').on(table.categorizedAt, table.receivedAt),
    uniqueIndex('inbound_emails_mailbox_folder_uid_idx').on(table.mailboxId, table.folder, table.uid),
  ],
);

/** A categorisation rule; lower `position` is tried first. A null user applies to everyone. */
export const emailRules = pgTable(
  'email_rules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: text('user_id'),
    /** sender: address or domain contains; subject: subject contains; keyword: subject or body contains. */
    field: text('field').notNull(),
    pattern: text('pattern').notNull(),
    category: text('category').notNull(),
    position: integer('position').notNull().default(100),
  },
  (table) => [check('email_rules_field_check', sql`${table.field} in ('sender', 'subject', 'keyword')`)],
);

export type EmailOutboxRow = typeof emailOutbox.$inferSelect;
export type EmailRecipientRow = typeof emailOutboxRecipients.$inferSelect;
export type InboundEmailRow = typeof inboundEmails.$inferSelect;
export type EmailRuleRow = typeof emailRules.$inferSelect;
