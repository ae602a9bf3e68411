import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { at } from './columns.js';

/**
 * A user's correction of one message's category: the right one (`category`), or only one it is not
 * (`rejectedCategory`, "this is not promotions"). One row per message: a later correction replaces it.
 */
// email_id of this table and of email_cluster_members cascades from inbound_emails (migration 0010,
// written by hand: drizzle would qualify the reference with one schema).
export const emailFeedback = pgTable(
  'email_feedback',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: text('user_id').notNull(),
    emailId: uuid('email_id').notNull(),
    category: text('category'),
    rejectedCategory: text('rejected_category'),
    createdAt: at('created_at').notNull().defaultNow(),
    /** When reclassify_with_feedback last re-labelled the message after this correction. */
    appliedAt: at('applied_at'),
  },
  (table) => [
    uniqueIndex('email_feedback_email_idx').on(table.emailId),
    index('email_feedback_user_idx').on(table.userId, table.createdAt),
    check(
      'email_feedback_says_something',
      sql`${table.category} is not null or ${table.rejectedCategory} is not null`,
    ),
  ],
);

/** How a user treats mail from one sender, as a score in [-1, 1]; recomputed from behaviour. */
export const emailSenderReputation = pgTable(
  'email_sender_reputation',
  {
    userId: text('user_id').notNull(),
    /** The lower-cased address. */
    sender: text('sender').notNull(),
    score: real('score').notNull(),
    messages: integer('messages').notNull(),
    seen: integer('seen').notNull(),
    answered: integer('answered').notNull(),
    archivedUnread: integer('archived_unread').notNull(),
    junk: integer('junk').notNull(),
    /** Corrections of this sender's messages to a wanted category, and to the spam category. */
    correctedWanted: integer('corrected_wanted').notNull(),
    correctedSpam: integer('corrected_spam').notNull(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.sender] })],
);

/** One topic of a user's mail from the latest cluster_user_emails run; replaced whole by the next. */
export const emailClusters = pgTable(
  'email_clusters',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: text('user_id').notNull(),
    /** The top terms joined, e.g. "invoice, payment, due". */
    label: text('label').notNull(),
    terms: text('terms').array().notNull(),
    size: integer('size').notNull(),
    /** `embeddings` (from the model server) or `tfidf`. */
    method: text('method').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (table) => [index('email_clusters_user_idx').on(table.userId)],
);

/** Which cluster each of a user's messages is in. */
export const emailClusterMembers = pgTable(
  'email_cluster_members',
  {
    emailId: uuid('email_id').primaryKey(),
    userId: text('user_id').notNull(),
    clusterId: uuid('cluster_id').notNull(),
  },
  (table) => [index('email_cluster_members_cluster_idx').on(table.clusterId)],
);

/** One user's activity on one UTC day, written by maintenance.update_analytics. */
export const userDailyAnalytics = pgTable(
  'user_daily_analytics',
  {
    userId: text('user_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    emailsReceived: integer('emails_received').notNull(),
    /** Messages received that day per category (uncategorised under "uncategorized"). */
    categories: jsonb('categories').$type<Record<string, number>>().notNull(),
    /** Replies found in the Sent folder to that day's messages, and their median delay. */
    replies: integer('replies').notNull(),
    medianResponseMinutes: real('median_response_minutes'),
    tasksCompleted: integer('tasks_completed').notNull(),
    tasksFailed: integer('tasks_failed').notNull(),
    tasksCancelled: integer('tasks_cancelled').notNull(),
    /** Finished tasks that day by name and outcome: `{ "email.send_email": { "completed": 3 } }`. */
    tasksByName: jsonb('tasks_by_name').$type<Record<string, Record<string, number>>>().notNull(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.day] })],
);

/** A finished export of a user's mail and classification data: one zip file at `path`. */
export const userExports = pgTable(
  'user_exports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: text('user_id').notNull(),
    /** The task that wrote it, so a retry finds its own export instead of writing another. */
    taskId: text('task_id').notNull(),
    path: text('path').notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    messages: integer('messages').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('user_exports_task_idx').on(table.taskId),
    index('user_exports_user_idx').on(table.userId, table.createdAt),
  ],
);

export type EmailFeedbackRow = typeof emailFeedback.$inferSelect;
export type EmailSenderReputationRow = typeof emailSenderReputation.$inferSelect;
export type EmailClusterRow = typeof emailClusters.$inferSelect;
export type UserDailyAnalyticsRow = typeof userDailyAnalytics.$inferSelect;
export type UserExportRow = typeof userExports.$inferSelect;
