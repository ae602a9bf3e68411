import { baseEnvSchema, chatEnvSchema, loadConfig, mailboxEnvSchema, positiveInt } from '@foreman/config';
import { z } from 'zod';

/** The email worker's own settings; parsed at import so a bad value stops the app at once. */
export const emailEnvSchema = chatEnvSchema.extend(mailboxEnvSchema.shape).extend({
  QUEUE_PREFIX: baseEnvSchema.shape.QUEUE_PREFIX,
  /** Per-mailbox runs of a scheduled sync wait their owner's turn on a fair queue. */
  FAIRNESS: baseEnvSchema.shape.FAIRNESS,
  /** Bytes of each message a sync fetches (headers and body); the stored body text is cut there. */
  EMAIL_SYNC_BODY_MAX_BYTES: positiveInt(64 * 1024),
  /** Messages per IMAP FETCH and database write during a sync. */
  EMAIL_SYNC_BATCH_SIZE: positiveInt(500),
  /** smtp://user:pass@host:port or smtps:// for implicit TLS. */
  SMTP_URL: z
    .string()
    .refine((value) => /^smtps?:\/\//.test(value), 'must start with smtp:// or smtps://')
    .default('smtp://127.0.0.1:1025'),
  MAIL_FROM: z.string().min(3).default('Foreman <foreman@localhost>'),
  /** Runs of process_email_queue that may fail to reach the server before a message fails for good. */
  EMAIL_MAX_ATTEMPTS: positiveInt(5),
  /** A recipient claimed this long ago without an outcome is failed, never resent. */
  EMAIL_SENDING_STALE_MINUTES: positiveInt(30),
  /** Ask the model (AI_* settings) to categorise messages no rule matches. */
  EMAIL_AI_CATEGORIZE: z.stringbool().default(false),
  /** Categories the model may choose from, besides those the rules name. */
  EMAIL_CATEGORIES: z
    .string()
    .default('work,personal,finance,newsletter,other')
    .transform((value) =>
      value
        .split(',')
        .map((category) => category.trim().toLowerCase())
        .filter(Boolean),
    ),
  /** Category of messages that no rule (or model) places. */
  EMAIL_DEFAULT_CATEGORY: z.string().min(1).default('other'),
  /** Category of mail from senders whose reputation is at or below EMAIL_LOW_REPUTATION_SCORE. */
  EMAIL_SPAM_CATEGORY: z.string().min(1).default('spam'),
  /** Sender scores run from -1 (always junked or ignored) to 1 (always answered). */
  EMAIL_LOW_REPUTATION_SCORE: z.coerce.number().min(-1).max(1).default(-0.4),
  EMAIL_HIGH_REPUTATION_SCORE: z.coerce.number().min(-1).max(1).default(0.4),
  /**
   * Embeddings model on the AI_BASE_URL server that cluster_user_emails uses; unset, it clusters
   * TF-IDF vectors and asks no model.
   */
  EMAIL_EMBEDDING_MODEL: z.string().min(1).optional(),
});

export type EmailEnv = z.output<typeof emailEnvSchema>;

export const loadEmailEnv = () => loadConfig(emailEnvSchema);
