import { mailbox as contracts } from '@foreman/contracts';
import { implementTask, type TaskContext } from '@foreman/core';
import { and, type Db, eq, inboundEmails, isNotNull, lt, mailboxes } from '@foreman/db';
import type { SyncProgress } from '../mailbox/folder-sync.js';
import {
  failFor,
  fanOut,
  forEachMailbox,
  type MailboxTaskDeps,
  selectedMailboxes,
} from '../mailbox/mailbox-runs.js';

const progressOf = (context: TaskContext, folder: string): SyncProgress => ({
  signal: context.signal,
  progress: (done, total) =>
    context.progress(total === 0 ? 100 : (done / total) * 100, `${folder}: ${done} of ${total} messages`),
});

async function selection(deps: MailboxTaskDeps, payload: { mailboxId?: string; userId?: string }) {
  try {
    return await selectedMailboxes(deps.access, payload);
  } catch (error) {
    throw failFor(error);
  }
}

/** Full sync, resumable: each batch is upserted with the folder's resume point in one transaction. */
export function syncUserEmailsTask(deps: MailboxTaskDeps) {
  return implementTask(contracts.syncUserEmails, async (payload, context) => {
    const tally = { mailboxes: 0, folders: 0, stored: 0, removed: 0 };
    const rows = await selection(deps, payload);
    if (!rows)
      return { ...tally, submitted: await fanOut(deps, contracts.syncUserEmails.name, context), errors: [] };
    const errors = await forEachMailbox(
      deps,
      rows,
      payload.mailboxId !== undefined,
      context,
      async (client, row) => {
        for (const folder of row.folders) {
          const result = await deps.sync.full(client, row, folder, progressOf(context, folder));
          tally.folders += 1;
          tally.stored += result.stored;
          tally.removed += result.removed;
        }
        tally.mailboxes += 1;
      },
    );
    return { ...tally, submitted: [], errors };
  });
}

export function incrementalSyncTask(deps: MailboxTaskDeps) {
  return implementTask(contracts.incrementalSync, async (payload, context) => {
    const tally = { mailboxes: 0, stored: 0, flagUpdates: 0, expunged: 0, fullResyncs: 0 };
    const rows = await selection(deps, payload);
    if (!rows)
      return { ...tally, submitted: await fanOut(deps, contracts.incrementalSync.name, context), errors: [] };
    const errors = await forEachMailbox(
      deps,
      rows,
      payload.mailboxId !== undefined,
      context,
      async (client, row) => {
        for (const folder of row.folders) {
          const result = await deps.sync.incremental(client, row, folder, progressOf(context, folder));
          tally.stored += result.stored;
          tally.flagUpdates += result.flagUpdates;
          tally.expunged += result.expunged;
          if (result.full) tally.fullResyncs += 1;
        }
        tally.mailboxes += 1;
      },
    );
    return { ...tally, submitted: [], errors };
  });
}

export function syncEmailMetadataTask(deps: MailboxTaskDeps) {
  return implementTask(contracts.syncEmailMetadata, async (payload, context) => {
    const tally = { mailboxes: 0, flagUpdates: 0, expunged: 0 };
    const rows = await selection(deps, payload);
    if (!rows)
      return {
        ...tally,
        submitted: await fanOut(deps, contracts.syncEmailMetadata.name, context),
        errors: [],
      };
    const errors = await forEachMailbox(
      deps,
      rows,
      payload.mailboxId !== undefined,
      context,
      async (client, row) => {
        for (const [index, folder] of row.folders.entries()) {
          const result = await deps.sync.metadata(client, row, folder);
          tally.flagUpdates += result.flagUpdates;
          tally.expunged += result.expunged;
          await context.progress(((index + 1) / row.folders.length) * 100, `${folder} done`);
        }
        tally.mailboxes += 1;
      },
    );
    return { ...tally, submitted: [], errors };
  });
}

/** Database rows only, per mailbox with a retention; the server is never touched. */
export function cleanupOldEmailsTask({ db }: { db: Db }) {
  return implementTask(contracts.cleanupOldEmails, async ({ mailboxId, userId }, context) => {
    const rows = await db
      .select({ id: mailboxes.id, retentionDays: mailboxes.retentionDays })
      .from(mailboxes)
      .where(
        and(
          isNotNull(mailboxes.retentionDays),
          mailboxId === undefined ? undefined : eq(mailboxes.id, mailboxId),
          userId === undefined ? undefined : eq(mailboxes.userId, userId),
        ),
      );
    let deleted = 0;
    for (const [index, row] of rows.entries()) {
      context.signal.throwIfAborted();
      const cutoff = new Date(Date.now() - (row.retentionDays as number) * 86_400_000);
      const removed = await db
        .delete(inboundEmails)
        .where(and(eq(inboundEmails.mailboxId, row.id), lt(inboundEmails.receivedAt, cutoff)))
        .returning({ id: inboundEmails.id });
      deleted += removed.length;
      await context.progress(((index + 1) / rows.length) * 100);
    }
    return { mailboxes: rows.length, deleted };
  });
}
