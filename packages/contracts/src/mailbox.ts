import { type DataOwner, declareSchedule, defineTask, EVERY_USER } from '@foreman/core/producer';
import { z } from 'zod';
import { QUEUES } from './queues.js';

const itemError = z.object({ id: z.string(), error: z.string() });

/**
 * Which mailboxes a sync acts on: one (`mailboxId`), a user's (`userId`), or, with neither, every
 * connected mailbox, each submitted as its own task for its owner so fair admission paces them.
 */
const mailboxSelection = z
  .object({
    mailboxId: z.uuid().optional(),
    userId: z.string().min(1).max(200).optional(),
  })
  .strict()
  .refine((value) => value.mailboxId === undefined || value.userId === undefined, {
    message: 'name a mailbox or a user, not both',
  });

const selectionOwner = ({ mailboxId, userId }: z.output<typeof mailboxSelection>): DataOwner => {
  if (mailboxId !== undefined) return { table: 'mailboxes', id: mailboxId };
  if (userId !== undefined) return { userId };
  return EVERY_USER;
};

/**
 * One IMAP sync of a mailbox at a time (full, incremental or metadata), across every email-worker
 * replica: a second session on one mailbox only races the first. A sync of a user's mailboxes, or
 * of all of them, is a key of its own. See docs/flow-control.md.
 */
const oneSyncPerMailbox = {
  key: ({ mailboxId, userId }: z.output<typeof mailboxSelection>) =>
    // Cut to the 200 characters a key may have: users sharing a long prefix then share a turn.
    mailboxId ?? (userId === undefined ? 'all' : `user:${userId}`.slice(0, 200)),
  scope: 'mailbox',
  concurrency: 1,
};

/** Task ids of the per-mailbox runs a sync without a selection submitted. */
const submitted = z.array(z.string());

export const syncUserEmails = defineTask({
  name: 'email.sync_user_emails',
  queue: QUEUES.email,
  ownedBy: selectionOwner,
  description:
    "Full sync of a user's mailboxes over IMAP into inbound_emails (headers, flags, size, snippet, body text up to a limit); resumable, upserts by (mailbox, folder, UID).",
  payload: mailboxSelection,
  result: z.object({
    mailboxes: z.number().int(),
    folders: z.number().int(),
    stored: z.number().int(),
    removed: z.number().int(),
    submitted,
    errors: z.array(itemError),
  }),
  retry: { attempts: 5, delayMs: 10_000, maxDelayMs: 300_000 },
  timeoutMs: 2 * 60 * 60_000,
  flow: oneSyncPerMailbox,
});

export const incrementalSync = defineTask({
  name: 'email.incremental_sync',
  queue: QUEUES.email,
  ownedBy: selectionOwner,
  description:
    'Syncs what changed since the last sync: new UIDs past UIDNEXT, and flag changes and expunges by CONDSTORE/QRESYNC MODSEQ where the server has them; a UIDVALIDITY change resyncs the folder in full.',
  payload: mailboxSelection,
  result: z.object({
    mailboxes: z.number().int(),
    stored: z.number().int(),
    flagUpdates: z.number().int(),
    expunged: z.number().int(),
    fullResyncs: z.number().int(),
    submitted,
    errors: z.array(itemError),
  }),
  retry: { attempts: 3, delayMs: 10_000 },
  timeoutMs: 30 * 60_000,
  flow: oneSyncPerMailbox,
});

export const syncEmailMetadata = defineTask({
  name: 'email.sync_email_metadata',
  queue: QUEUES.email,
  ownedBy: selectionOwner,
  description:
    'Refreshes the flags (and Gmail labels) of synced messages and drops those expunged on the server; fetches no bodies.',
  payload: mailboxSelection,
  result: z.object({
    mailboxes: z.number().int(),
    flagUpdates: z.number().int(),
    expunged: z.number().int(),
    submitted,
    errors: z.array(itemError),
  }),
  retry: { attempts: 3, delayMs: 10_000 },
  timeoutMs: 30 * 60_000,
  flow: oneSyncPerMailbox,
});

export const cleanupOldEmails = defineTask({
  name: 'email.cleanup_old_emails',
  queue: QUEUES.email,
  ownedBy: selectionOwner,
  description:
    "Deletes synced messages older than their mailbox's retention from the database; never deletes anything on the server.",
  payload: mailboxSelection,
  result: z.object({ mailboxes: z.number().int(), deleted: z.number().int() }),
  retry: { attempts: 3, delayMs: 30_000 },
  timeoutMs: 30 * 60_000,
});

/** Messages of one folder of one mailbox, by UID: what a bulk operation acts on. */
const bulkTarget = {
  mailboxId: z.uuid(),
  folder: z.string().min(1).max(1_000).default('INBOX'),
  uids: z.array(z.number().int().positive().max(4_294_967_295)).min(1).max(100_000),
  /** UIDs per IMAP command; progress is reported and cancellation honoured between batches. */
  batchSize: z.number().int().positive().max(5_000).default(500),
};

const bulkResult = {
  requested: z.number().int(),
  /** UIDs the operation applied to (a retry counts only those still to do). */
  applied: z.number().int(),
  /** UIDs no longer in the folder: already handled by an earlier attempt, or gone. */
  missing: z.number().int(),
  batches: z.number().int(),
};

const ownedMailbox = ({ mailboxId }: { mailboxId: string }): DataOwner => ({
  table: 'mailboxes',
  id: mailboxId,
});

export const bulkDeleteEmails = defineTask({
  name: 'email.bulk_delete_emails',
  queue: QUEUES.email,
  ownedBy: ownedMailbox,
  description:
    'Deletes messages by UID in batches: moved to the Trash folder, or with `permanent` flagged \\Deleted and expunged by UID; idempotent, cancellable between batches.',
  payload: z.object({ ...bulkTarget, permanent: z.boolean().default(false) }).strict(),
  result: z.object({ ...bulkResult, destination: z.string().nullable() }),
  retry: { attempts: 3, delayMs: 10_000 },
  timeoutMs: 60 * 60_000,
});

export const bulkArchiveEmails = defineTask({
  name: 'email.bulk_archive_emails',
  queue: QUEUES.email,
  ownedBy: ownedMailbox,
  description:
    "Moves messages by UID in batches to the archive folder (the server's \\Archive or \\All folder, or `archiveFolder`); idempotent, cancellable between batches.",
  payload: z.object({ ...bulkTarget, archiveFolder: z.string().min(1).max(1_000).optional() }).strict(),
  result: z.object({ ...bulkResult, destination: z.string() }),
  retry: { attempts: 3, delayMs: 10_000 },
  timeoutMs: 60 * 60_000,
});

export const bulkLabelEmails = defineTask({
  name: 'email.bulk_label_emails',
  queue: QUEUES.email,
  ownedBy: ownedMailbox,
  description:
    'Adds (or removes) labels on messages by UID in batches: Gmail labels through X-GM-LABELS where the server has it, IMAP keywords otherwise; idempotent, cancellable between batches.',
  payload: z
    .object({
      ...bulkTarget,
      labels: z
        .array(z.string().regex(/^[^\s()[\]{}%*"\\]+$/, 'a label is one word without IMAP specials'))
        .min(1)
        .max(20),
      remove: z.boolean().default(false),
    })
    .strict(),
  result: z.object({ ...bulkResult, mechanism: z.enum(['x-gm-labels', 'keywords']) }),
  retry: { attempts: 3, delayMs: 10_000 },
  timeoutMs: 60 * 60_000,
});

export const cleanupExpiredTokens = defineTask({
  name: 'maintenance.cleanup_expired_tokens',
  queue: QUEUES.maintenance,
  audience: 'system',
  description:
    "Refreshes OAuth mailbox tokens close to expiry through the provider's token endpoint; a mailbox whose token cannot be refreshed loses it and is marked as needing the user's consent again.",
  payload: z
    .object({
      /** Refresh tokens expiring within this many minutes (else the worker's setting). */
      withinMinutes: z.number().int().positive().max(1_440).optional(),
    })
    .strict(),
  result: z.object({
    checked: z.number().int(),
    refreshed: z.number().int(),
    needsReconsent: z.number().int(),
    errors: z.array(itemError),
  }),
  retry: { attempts: 3, delayMs: 30_000 },
  timeoutMs: 10 * 60_000,
});

export const rotateMailboxSecrets = defineTask({
  name: 'maintenance.rotate_mailbox_secrets',
  queue: QUEUES.maintenance,
  audience: 'system',
  description:
    'Re-seals every mailbox credential under the current MAILBOX_SECRET_KEY, so previous keys can be retired.',
  payload: z.object({ batchSize: z.number().int().positive().max(10_000).default(500) }).strict(),
  result: z.object({ rotated: z.number().int(), keyId: z.string() }),
  retry: { attempts: 3, delayMs: 30_000 },
  timeoutMs: 60 * 60_000,
});

export const schedules = [
  declareSchedule({
    id: 'email.incremental_sync.every-5m',
    task: incrementalSync,
    payload: {},
    everyMs: 5 * 60_000,
    description: 'Submits an incremental sync of every connected mailbox, for its owner (fair admission)',
    misfirePolicy: 'skip',
  }),
  declareSchedule({
    id: 'email.sync_email_metadata.hourly',
    task: syncEmailMetadata,
    payload: {},
    cron: '20 * * * *',
    description: 'Submits a flags-only sync of every connected mailbox, for its owner',
    misfirePolicy: 'skip',
  }),
  declareSchedule({
    id: 'email.cleanup_old_emails.daily-0400',
    task: cleanupOldEmails,
    payload: {},
    cron: '0 4 * * *',
    description: "Deletes synced messages past their mailbox's retention at 04:00 UTC",
  }),
  declareSchedule({
    id: 'maintenance.cleanup_expired_tokens.every-10m',
    task: cleanupExpiredTokens,
    payload: {},
    everyMs: 10 * 60_000,
    description: 'Refreshes OAuth mailbox tokens close to expiry',
  }),
];
