import { NonRetryableError, SYSTEM_SUBMITTER, type TaskClient } from '@foreman/core/producer';
import type { TaskContext } from '@foreman/core/task';
import type { MailboxRow } from '@foreman/db';
import { closeImapSession, type ImapFlow, type MailboxAccess, MailboxError } from '@foreman/imap';
import type { FolderSync } from './folder-sync.js';

export interface MailboxTaskDeps {
  access: MailboxAccess;
  sync: FolderSync;
  /** Submits the per-mailbox runs of a sync that names no mailbox. */
  client: Pick<TaskClient, 'submit'>;
}

interface MailboxSelection {
  mailboxId?: string | undefined;
  userId?: string | undefined;
}

/** The mailboxes a selection names; undefined when it names none (every mailbox: fan out). */
async function selectedMailboxes(
  access: MailboxAccess,
  { mailboxId, userId }: MailboxSelection,
): Promise<MailboxRow[] | undefined> {
  if (mailboxId !== undefined) return [await access.store.get(mailboxId)];
  if (userId === undefined) return undefined;
  return access.store.rowsOf(userId);
}

/**
 * Submits one run of the task per connected mailbox, as its owner's task, so on a fair queue each
 * user's mailboxes take their turn. Ids derive from this run's id: a retry queues nothing twice.
 */
async function fanOut(deps: MailboxTaskDeps, taskName: string, context: TaskContext): Promise<string[]> {
  const submitted: string[] = [];
  const mailboxes = (await deps.access.store.list()).filter((mailbox) => !mailbox.needsReconsent);
  for (const [index, mailbox] of mailboxes.entries()) {
    context.signal.throwIfAborted();
    const { taskId } = await deps.client.submit(
      taskName,
      { mailboxId: mailbox.id },
      { userId: mailbox.userId, submitter: SYSTEM_SUBMITTER, taskId: `${context.taskId}-${mailbox.id}` },
    );
    submitted.push(taskId);
    await context.progress(
      ((index + 1) / mailboxes.length) * 100,
      `${index + 1} of ${mailboxes.length} submitted`,
    );
  }
  return submitted;
}

/**
 * Runs `work` on each selected mailbox over one IMAP session. A task aimed at one mailbox fails
 * with its error (for good when no retry can help); over several, each failure is recorded on the
 * mailbox and in `errors`, and the others carry on.
 */
async function forEachMailbox(
  deps: MailboxTaskDeps,
  mailboxes: readonly MailboxRow[],
  single: boolean,
  context: TaskContext,
  work: (client: ImapFlow, mailbox: MailboxRow) => Promise<void>,
): Promise<Array<{ id: string; error: string }>> {
  const errors: Array<{ id: string; error: string }> = [];
  for (const mailbox of mailboxes) {
    context.signal.throwIfAborted();
    try {
      const client = await deps.access.connector.open(mailbox);
      try {
        await work(client, mailbox);
      } finally {
        await closeImapSession(client);
      }
      if (mailbox.lastError !== null) await deps.access.store.setLastError(mailbox.id, null);
    } catch (error) {
      if (context.signal.aborted) throw error;
      const message = (error as Error).message;
      if (!(error instanceof MailboxError && error.code === 'MAILBOX_NOT_FOUND')) {
        await deps.access.store.setLastError(mailbox.id, message).catch(() => {});
      }
      if (single) throw failFor(error);
      context.logger.warn({ mailboxId: mailbox.id, err: error }, 'mailbox sync failed');
      errors.push({ id: mailbox.id, error: message });
    }
  }
  return errors;
}

/** A MailboxError no retry can cure fails the task for good. */
export function failFor(error: unknown): unknown {
  return error instanceof MailboxError && error.permanent
    ? new NonRetryableError(error.message, { cause: error })
    : error;
}

/**
 * A sync over the mailboxes a payload selects (counted in `tally.mailboxes` as each finishes),
 * or, when it selects none, one run of `taskName` submitted per mailbox.
 */
export async function syncSelection<T extends { mailboxes: number }>(
  deps: MailboxTaskDeps,
  taskName: string,
  payload: MailboxSelection,
  context: TaskContext,
  tally: T,
  work: (client: ImapFlow, mailbox: MailboxRow) => Promise<void>,
): Promise<T & { submitted: string[]; errors: Array<{ id: string; error: string }> }> {
  let mailboxes: MailboxRow[] | undefined;
  try {
    mailboxes = await selectedMailboxes(deps.access, payload);
  } catch (error) {
    throw failFor(error);
  }
  if (!mailboxes) return { ...tally, submitted: await fanOut(deps, taskName, context), errors: [] };
  const single = payload.mailboxId !== undefined;
  const errors = await forEachMailbox(deps, mailboxes, single, context, async (client, mailbox) => {
    await work(client, mailbox);
    tally.mailboxes += 1;
  });
  return { ...tally, submitted: [], errors };
}
