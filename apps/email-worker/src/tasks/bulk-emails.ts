import { mailbox as contracts } from '@foreman/contracts';
import { implementTask, NonRetryableError, type TaskContext } from '@foreman/core/task';
import { type Db, inboundEmails, sql } from '@foreman/db';
import { closeImapSession, type ImapFlow, type MailboxAccess, openFolder } from '@foreman/imap';
import { failFor } from '../mailbox/mailbox-runs.js';
import { chunks, uidSet } from '../mailbox/uid-set.js';

export interface BulkEmailDeps {
  db: Db;
  access: MailboxAccess;
}

interface BulkTarget {
  mailboxId: string;
  folder: string;
  uids: number[];
  batchSize: number;
}

interface BulkCounts {
  requested: number;
  applied: number;
  missing: number;
  batches: number;
}

/**
 * Works through the UIDs in batches on one session, the folder opened read-write. Each batch acts
 * only on the UIDs still in the folder (UID SEARCH first), so a retry after a crash or a kill
 * skips what an earlier attempt did: a move or delete is never applied twice. Progress after each
 * batch; the signal is checked before each, so a cancel stops within one batch.
 */
async function inBatches(
  deps: BulkEmailDeps,
  target: BulkTarget,
  context: TaskContext,
  prepare: (client: ImapFlow) => Promise<void>,
  apply: (client: ImapFlow, uids: number[]) => Promise<void>,
): Promise<BulkCounts> {
  let client: ImapFlow;
  try {
    client = await deps.access.connector.open(await deps.access.store.get(target.mailboxId));
  } catch (error) {
    throw failFor(error);
  }
  const uids = [...new Set(target.uids)].sort((a, b) => a - b);
  const counts: BulkCounts = { requested: uids.length, applied: 0, missing: 0, batches: 0 };
  try {
    await prepare(client);
    await openFolder(client, target.folder, { readOnly: false });
    for (const batch of chunks(uids, target.batchSize)) {
      context.signal.throwIfAborted();
      const wanted = new Set(batch);
      const present = (((await client.search({ uid: uidSet(batch) }, { uid: true })) || []) as number[])
        .filter((uid) => wanted.has(uid))
        .sort((a, b) => a - b);
      if (present.length > 0) await apply(client, present);
      counts.applied += present.length;
      counts.missing += batch.length - present.length;
      counts.batches += 1;
      const done = counts.applied + counts.missing;
      await context.progress((done / uids.length) * 100, `${done} of ${uids.length} messages`);
    }
  } catch (error) {
    throw failFor(error);
  } finally {
    await closeImapSession(client);
  }
  return counts;
}

async function specialFolder(client: ImapFlow, uses: readonly string[]): Promise<string | undefined> {
  const folders = await client.list();
  for (const use of uses) {
    const found = folders.find((folder) => folder.specialUse === use);
    if (found) return found.path;
  }
  return undefined;
}

/** The moved or deleted messages left the folder: their rows go (the destination syncs anew). */
async function dropRows(db: Db, target: BulkTarget, uids: readonly number[]): Promise<void> {
  await db.execute(sql`
    delete from ${inboundEmails}
    where mailbox_id = ${target.mailboxId} and folder = ${target.folder}
      and uid = any(${`{${uids.join(',')}}`}::bigint[])`);
}

export function bulkDeleteEmailsTask(deps: BulkEmailDeps) {
  return implementTask(contracts.bulkDeleteEmails, async (payload, context) => {
    let destination: string | null = null;
    const counts = await inBatches(
      deps,
      payload,
      context,
      async (client) => {
        if (!payload.permanent) destination = (await specialFolder(client, ['\\Trash'])) ?? null;
        if (destination === payload.folder) destination = null;
      },
      async (client, uids) => {
        if (destination) await client.messageMove(uidSet(uids), destination, { uid: true });
        else await client.messageDelete(uidSet(uids), { uid: true });
        await dropRows(deps.db, payload, uids);
      },
    );
    return { ...counts, destination };
  });
}

export function bulkArchiveEmailsTask(deps: BulkEmailDeps) {
  return implementTask(contracts.bulkArchiveEmails, async (payload, context) => {
    let destination = payload.archiveFolder ?? '';
    const counts = await inBatches(
      deps,
      payload,
      context,
      async (client) => {
        destination ||= (await specialFolder(client, ['\\Archive', '\\All'])) ?? '';
        if (!destination) {
          throw new NonRetryableError('The server names no \\Archive or \\All folder: give archiveFolder');
        }
        if (destination === payload.folder)
          throw new NonRetryableError(`Messages are already in ${destination}`);
      },
      async (client, uids) => {
        await client.messageMove(uidSet(uids), destination, { uid: true });
        await dropRows(deps.db, payload, uids);
      },
    );
    return { ...counts, destination };
  });
}

export function bulkLabelEmailsTask(deps: BulkEmailDeps) {
  return implementTask(contracts.bulkLabelEmails, async (payload, context) => {
    let gmail = false;
    const labels = `{${payload.labels.map((label) => `"${label}"`).join(',')}}`;
    const counts = await inBatches(
      deps,
      payload,
      context,
      async (client) => {
        gmail = client.capabilities.has('X-GM-EXT-1');
      },
      async (client, uids) => {
        const options = { uid: true, ...(gmail ? { useLabels: true } : {}) };
        if (payload.remove) await client.messageFlagsRemove(uidSet(uids), payload.labels, options);
        else await client.messageFlagsAdd(uidSet(uids), payload.labels, options);
        const set = `{${uids.join(',')}}`;
        await deps.db.execute(
          payload.remove
            ? sql`update ${inboundEmails} set flags = (
                select coalesce(array_agg(f order by f), '{}') from unnest(flags) f where f <> all(${labels}::text[]))
              where mailbox_id = ${payload.mailboxId} and folder = ${payload.folder} and uid = any(${set}::bigint[])`
            : sql`update ${inboundEmails} set flags = (
                select array_agg(distinct f order by f) from unnest(coalesce(flags, '{}') || ${labels}::text[]) f)
              where mailbox_id = ${payload.mailboxId} and folder = ${payload.folder} and uid = any(${set}::bigint[])`,
        );
      },
    );
    return { ...counts, mechanism: gmail ? ('x-gm-labels' as const) : ('keywords' as const) };
  });
}
