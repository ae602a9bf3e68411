import {
  and,
  type Db,
  eq,
  inboundEmails,
  type MailboxFolderRow,
  type MailboxRow,
  mailboxFolders,
  sql,
} from '@foreman/db';
import { type FetchMessageObject, type ImapFlow, messageText, openFolder } from '@foreman/imap';
import { chunks, uidSet } from './uid-set.js';

export interface SyncLimits {
  /** Bytes of each message fetched (headers and body); the body text is cut there. */
  bodyMaxBytes: number;
  /** Messages per FETCH and per database write. */
  batchSize: number;
}

export interface SyncProgress {
  signal: AbortSignal;
  /** Messages of the folder done so far, of `total`. */
  progress(done: number, total: number): Promise<void>;
}

export interface FullSyncResult {
  stored: number;
  removed: number;
  /** The folder's UIDVALIDITY changed since the last sync: its rows were dropped first. */
  uidValidityChanged: boolean;
}

export interface ChangesResult {
  flagUpdates: number;
  expunged: number;
}

type NewInboundEmail = typeof inboundEmails.$inferInsert;

const CONDSTORE = (client: ImapFlow) => client.enabled.has('CONDSTORE') || client.enabled.has('QRESYNC');
const GMAIL = (client: ImapFlow) => client.capabilities.has('X-GM-EXT-1');

/**
 * Syncs one folder of one mailbox into inbound_emails, keyed by (mailbox, folder, UID), with its
 * state (UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ) in mailbox_folders. Folders are opened read-only
 * and bodies fetched with PEEK, so a sync never changes anything on the server.
 */
export class FolderSync {
  constructor(
    private readonly db: Db,
    private readonly limits: SyncLimits,
  ) {}

  async state(mailboxId: string, folder: string): Promise<MailboxFolderRow | undefined> {
    const [row] = await this.db
      .select()
      .from(mailboxFolders)
      .where(and(eq(mailboxFolders.mailboxId, mailboxId), eq(mailboxFolders.folder, folder)));
    return row;
  }

  /**
   * Every message of the folder. Resumes a full sync an earlier attempt left unfinished (after
   * the highest UID it stored), then drops the rows of messages no longer on the server.
   */
  async full(
    client: ImapFlow,
    mailbox: MailboxRow,
    folder: string,
    run: SyncProgress,
  ): Promise<FullSyncResult> {
    const opened = await openFolder(client, folder, { readOnly: true });
    const uidValidity = Number(opened.uidValidity);
    const state = await this.state(mailbox.id, folder);
    const uidValidityChanged = state?.uidValidity != null && state.uidValidity !== uidValidity;
    if (uidValidityChanged) await this.dropFolder(mailbox.id, folder);
    const resumeAfter =
      !uidValidityChanged && state?.fullSyncThroughUid != null ? state.fullSyncThroughUid : 0;
    await this.saveState(mailbox.id, folder, { uidValidity, fullSyncThroughUid: resumeAfter });
    const onServer = await this.allUids(client);
    const todo = onServer.filter((uid) => uid > resumeAfter);
    let stored = 0;
    let done = onServer.length - todo.length;
    for (const batch of chunks(todo, this.limits.batchSize)) {
      run.signal.throwIfAborted();
      const rows = await this.fetchRows(client, mailbox, folder, batch);
      await this.db.transaction(async (tx) => {
        await this.upsert(tx, rows);
        await tx
          .update(mailboxFolders)
          .set({ fullSyncThroughUid: batch.at(-1) as number })
          .where(and(eq(mailboxFolders.mailboxId, mailbox.id), eq(mailboxFolders.folder, folder)));
      });
      stored += rows.length;
      done += batch.length;
      await run.progress(done, onServer.length);
    }
    const removed = await this.dropMissing(mailbox.id, folder, onServer);
    const now = new Date();
    await this.saveState(mailbox.id, folder, {
      uidValidity,
      uidNext: opened.uidNext,
      highestModseq: CONDSTORE(client) && opened.highestModseq ? opened.highestModseq : null,
      fullSyncThroughUid: null,
      lastSyncAt: now,
      lastFullSyncAt: now,
    });
    return { stored, removed, uidValidityChanged };
  }

  /**
   * What changed since the last sync: messages past the stored UIDNEXT, then flag changes and
   * expunges among the known ones. A folder never synced, half-synced or whose UIDVALIDITY
   * changed is synced in full instead (`full` set in the result).
   */
  async incremental(
    client: ImapFlow,
    mailbox: MailboxRow,
    folder: string,
    run: SyncProgress,
  ): Promise<ChangesResult & { stored: number; full: FullSyncResult | undefined }> {
    const state = await this.state(mailbox.id, folder);
    const opened = await openFolder(client, folder, { readOnly: true });
    if (
      state?.uidValidity == null ||
      state.uidNext == null ||
      state.fullSyncThroughUid != null ||
      state.uidValidity !== Number(opened.uidValidity)
    ) {
      const full = await this.full(client, mailbox, folder, run);
      return { stored: full.stored, flagUpdates: 0, expunged: full.removed, full };
    }
    const known = state.uidNext;
    let stored = 0;
    let done = 0;
    if (opened.uidNext > known) {
      const fresh = ((await client.search({ uid: `${known}:*` }, { uid: true })) || [])
        .filter((uid) => uid >= known)
        .sort((a, b) => a - b);
      for (const batch of chunks(fresh, this.limits.batchSize)) {
        run.signal.throwIfAborted();
        const rows = await this.fetchRows(client, mailbox, folder, batch);
        await this.upsert(this.db, rows);
        stored += rows.length;
        done += batch.length;
        await run.progress(done, fresh.length);
      }
    }
    const changes = await this.changes(client, mailbox, folder, state, opened.highestModseq, known);
    await this.saveState(mailbox.id, folder, {
      uidNext: opened.uidNext,
      highestModseq: CONDSTORE(client) && opened.highestModseq ? opened.highestModseq : null,
      lastSyncAt: new Date(),
    });
    return { stored, ...changes, full: undefined };
  }

  /** Flags and expunges only, of messages already synced; a folder never synced is skipped. */
  async metadata(client: ImapFlow, mailbox: MailboxRow, folder: string): Promise<ChangesResult> {
    const state = await this.state(mailbox.id, folder);
    if (state?.uidValidity == null || state.uidNext == null || state.fullSyncThroughUid != null) {
      return { flagUpdates: 0, expunged: 0 };
    }
    const opened = await openFolder(client, folder, { readOnly: true });
    // New UIDVALIDITY: the rows are of another generation of the folder; incremental resyncs it.
    if (state.uidValidity !== Number(opened.uidValidity)) return { flagUpdates: 0, expunged: 0 };
    const changes = await this.changes(client, mailbox, folder, state, opened.highestModseq, state.uidNext);
    // HIGHESTMODSEQ moves on only with CONDSTORE, where it covers exactly what was read.
    if (CONDSTORE(client) && opened.highestModseq) {
      await this.saveState(mailbox.id, folder, {
        highestModseq: opened.highestModseq,
        lastSyncAt: new Date(),
      });
    }
    return changes;
  }

  /**
   * Flag changes and expunges among UIDs below `knownUidNext`: with CONDSTORE only what changed
   * since the stored HIGHESTMODSEQ (QRESYNC's VANISHED names the expunged), otherwise every
   * message's flags and the server's UID list compared with the stored one.
   */
  private async changes(
    client: ImapFlow,
    mailbox: MailboxRow,
    folder: string,
    state: MailboxFolderRow,
    serverModseq: bigint | undefined,
    knownUidNext: number,
  ): Promise<ChangesResult> {
    if (knownUidNext <= 1) return { flagUpdates: 0, expunged: 0 };
    const range = `1:${knownUidNext - 1}`;
    const since = CONDSTORE(client) && serverModseq ? state.highestModseq : null;
    if (since !== null && serverModseq === since) return { flagUpdates: 0, expunged: 0 };
    const qresync = since !== null && client.enabled.has('QRESYNC');
    const vanished: number[] = [];
    const onExpunge = (event: { uid?: number; vanished?: boolean }) => {
      if (event.vanished && event.uid !== undefined) vanished.push(event.uid);
    };
    const updates: Array<{ uid: number; flags: string[] }> = [];
    if (qresync) client.on('expunge', onExpunge);
    try {
      const query = { uid: true, flags: true, ...(GMAIL(client) ? { labels: true } : {}) };
      for await (const message of client.fetch(
        range,
        query,
        since === null ? { uid: true } : { uid: true, changedSince: since },
      )) {
        if (message.uid < knownUidNext) updates.push({ uid: message.uid, flags: flagsOf(message) });
      }
    } finally {
      if (qresync) client.off('expunge', onExpunge);
    }
    let flagUpdates = 0;
    for (const batch of chunks(updates, 2_000))
      flagUpdates += await this.updateFlags(mailbox.id, folder, batch);
    const expunged = qresync
      ? await this.dropUids(mailbox.id, folder, vanished)
      : await this.dropMissing(mailbox.id, folder, await this.allUids(client));
    return { flagUpdates, expunged };
  }

  private async allUids(client: ImapFlow): Promise<number[]> {
    return ((await client.search({ all: true }, { uid: true })) || []).sort((a, b) => a - b);
  }

  private async fetchRows(
    client: ImapFlow,
    mailbox: MailboxRow,
    folder: string,
    uids: readonly number[],
  ): Promise<NewInboundEmail[]> {
    const fetched: FetchMessageObject[] = [];
    const query = {
      uid: true,
      flags: true,
      envelope: true,
      size: true,
      internalDate: true,
      source: { maxLength: this.limits.bodyMaxBytes },
      ...(GMAIL(client) ? { labels: true } : {}),
    };
    for await (const message of client.fetch(uidSet(uids), query, { uid: true })) fetched.push(message);
    // Messages already past the mailbox's retention are not stored again (cleanup_old_emails).
    const cutoff = mailbox.retentionDays === null ? 0 : Date.now() - mailbox.retentionDays * 86_400_000;
    const rows: NewInboundEmail[] = [];
    for (const message of fetched) {
      const envelope = message.envelope;
      const { text, snippet } = message.source
        ? await messageText(message.source, { maxChars: this.limits.bodyMaxBytes })
        : { text: '', snippet: '' };
      const date = message.internalDate ?? envelope?.date;
      const receivedAt = date instanceof Date && !Number.isNaN(date.getTime()) ? date : new Date();
      if (receivedAt.getTime() < cutoff) continue;
      rows.push({
        userId: mailbox.userId,
        mailboxId: mailbox.id,
        folder,
        uid: message.uid,
        messageId: envelope?.messageId ?? null,
        fromAddress: envelope?.from?.[0]?.address ?? '',
        toAddresses: (envelope?.to ?? []).map((to) => to.address).filter((address) => address !== undefined),
        subject: (envelope?.subject ?? '').replaceAll('\u0000', ''),
        body: text,
        snippet,
        flags: flagsOf(message),
        sizeBytes: message.size ?? null,
        receivedAt,
      });
    }
    return rows;
  }

  private async upsert(db: Pick<Db, 'insert'>, rows: NewInboundEmail[]): Promise<void> {
    if (rows.length === 0) return;
    await db
      .insert(inboundEmails)
      .values(rows)
      .onConflictDoUpdate({
        target: [inboundEmails.mailboxId, inboundEmails.folder, inboundEmails.uid],
        // The category and its decision stay: a resync must not undo classification.
        set: {
          messageId: sql`excluded.message_id`,
          fromAddress: sql`excluded.from_address`,
          toAddresses: sql`excluded.to_addresses`,
          subject: sql`excluded.subject`,
          body: sql`excluded.body`,
          snippet: sql`excluded.snippet`,
          flags: sql`excluded.flags`,
          sizeBytes: sql`excluded.size_bytes`,
          receivedAt: sql`excluded.received_at`,
        },
      });
  }

  /** Sets each message's flags; counts only rows whose flags were different. */
  private async updateFlags(
    mailboxId: string,
    folder: string,
    updates: ReadonlyArray<{ uid: number; flags: string[] }>,
  ): Promise<number> {
    if (updates.length === 0) return 0;
    const changed = await this.db.execute(sql`
      update ${inboundEmails} as e set flags = v.flags
      from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as v(uid bigint, flags text[])
      where e.mailbox_id = ${mailboxId} and e.folder = ${folder} and e.uid = v.uid
        and e.flags is distinct from v.flags
      returning e.id`);
    return rowCount(changed);
  }

  private async dropUids(mailboxId: string, folder: string, uids: readonly number[]): Promise<number> {
    let dropped = 0;
    for (const batch of chunks(uids, 10_000)) {
      const result = await this.db.execute(sql`
        delete from ${inboundEmails}
        where mailbox_id = ${mailboxId} and folder = ${folder} and uid = any(${`{${batch.join(',')}}`}::bigint[])
        returning id`);
      dropped += rowCount(result);
    }
    return dropped;
  }

  /** Deletes the folder's rows whose UID is not among `onServer`. */
  private async dropMissing(mailboxId: string, folder: string, onServer: readonly number[]): Promise<number> {
    const result = await this.db.execute(sql`
      delete from ${inboundEmails}
      where mailbox_id = ${mailboxId} and folder = ${folder}
        and not (uid = any(${`{${onServer.join(',')}}`}::bigint[]))
      returning id`);
    return rowCount(result);
  }

  private async dropFolder(mailboxId: string, folder: string): Promise<void> {
    await this.db
      .delete(inboundEmails)
      .where(and(eq(inboundEmails.mailboxId, mailboxId), eq(inboundEmails.folder, folder)));
  }

  private async saveState(
    mailboxId: string,
    folder: string,
    values: Partial<Omit<MailboxFolderRow, 'mailboxId' | 'folder'>>,
  ): Promise<void> {
    await this.db
      .insert(mailboxFolders)
      .values({ mailboxId, folder, ...values })
      .onConflictDoUpdate({ target: [mailboxFolders.mailboxId, mailboxFolders.folder], set: values });
  }
}

/** Flags and labels as stored; \Recent is left out, it belongs to the session that saw it first. */
function flagsOf(message: FetchMessageObject): string[] {
  return [...(message.flags ?? []), ...(message.labels ?? [])].filter((flag) => flag !== '\\Recent').sort();
}

/** Rows a `returning` statement gave back, from pg or PGlite. */
function rowCount(result: unknown): number {
  const rows = (result as { rows?: unknown[] }).rows;
  return Array.isArray(rows) ? rows.length : Array.isArray(result) ? result.length : 0;
}
