import { mailbox as contracts } from '@foreman/contracts';
import { implementTask, type TaskContext } from '@foreman/core/task';
import { and, type Db, eq, inboundEmails, isNotNull, lt, mailboxes } from '@foreman/db';
import type { SyncProgress } from '../mailbox/folder-sync.js';
import { type MailboxTaskDeps, syncSelection } from '../mailbox/mailbox-runs.js';

const progressOf = (context: TaskContext, folder: string): SyncProgress => ({
  signal: context.signal,
  progress: (done, total) =>
    context.progress(total === 0 ? 100 : (done / total) * 100, `${folder}: ${done} of ${total} messages`),
});

/** Full sync, resumable: each batch is upserted with the folder's resume point in one transaction. */
export function syncUserEmailsTask(deps: MailboxTaskDeps) {
  const { name } = contracts.syncUserEmails;
  return implementTask(contracts.syncUserEmails, async (payload, context) => {
    const tally = { mailboxes: 0, folders: 0, stored: 0, removed: 0 };
    return syncSelection(deps, name, payload, context, tally, async (client, mailbox) => {
      for (const folder of mailbox.folders) {
        const result = await deps.sync.full(client, mailbox, folder, progressOf(context, folder));
        tally.folders += 1;
        tally.stored += result.stored;
        tally.removed += result.removed;
      }
    });
  });
}

export function incrementalSyncTask(deps: MailboxTaskDeps) {
  const { name } = contracts.incrementalSync;
  return implementTask(contracts.incrementalSync, async (payload, context) => {
    const tally = { mailboxes: 0, stored: 0, flagUpdates: 0, expunged: 0, fullResyncs: 0 };
    return syncSelection(deps, name, payload, context, tally, async (client, mailbox) => {
      for (const folder of mailbox.folders) {
        const result = await deps.sync.incremental(client, mailbox, folder, progressOf(context, folder));
        tally.stored += result.stored;
        tally.flagUpdates += result.flagUpdates;
        tally.expunged += result.expunged;
        if (result.full) tally.fullResyncs += 1;
      }
    });
  });
}

export function syncEmailMetadataTask(deps: MailboxTaskDeps) {
  const { name } = contracts.syncEmailMetadata;
  return implementTask(contracts.syncEmailMetadata, async (payload, context) => {
    const tally = { mailboxes: 0, flagUpdates: 0, expunged: 0 };
    return syncSelection(deps, name, payload, context, tally, async (client, mailbox) => {
      for (const [index, folder] of mailbox.folders.entries()) {
        const result = await deps.sync.metadata(client, mailbox, folder);
        tally.flagUpdates += result.flagUpdates;
        tally.expunged += result.expunged;
        await context.progress(((index + 1) / mailbox.folders.length) * 100, `${folder} done`);
      }
    });
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
