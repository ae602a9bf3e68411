import { and, eq, inboundEmails } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import type { MailboxView } from '@foreman/imap';
import { startDovecot, type TestDovecot } from '@foreman/imap/testing';
import { FolderSync } from '../src/mailbox/folder-sync.js';
import {
  bulkArchiveEmailsTask,
  bulkDeleteEmailsTask,
  bulkLabelEmailsTask,
} from '../src/tasks/bulk-emails.js';
import { syncUserEmailsTask } from '../src/tasks/sync-mailboxes.js';
import { imapAs, mailboxAccessFor, taskContext } from './mailbox-harness.js';

const MESSAGES = 2_500;
const BATCH = 250;
const allUids = Array.from({ length: MESSAGES }, (_, index) => index + 1);

describe('bulk operations against Dovecot', () => {
  let dovecot: TestDovecot;
  let testDb: TestDatabase;
  let mailbox: MailboxView;
  let deps: { db: TestDatabase['database']['db']; access: ReturnType<typeof mailboxAccessFor> };

  beforeAll(async () => {
    dovecot = await startDovecot();
    dovecot.addUser('bob', 'bob-password');
    dovecot.seed(
      'bob',
      'INBOX',
      allUids.map((uid) => ({ subject: `Offer ${uid}`, messageId: `<offer-${uid}@example.test>` })),
    );
    testDb = await createTestDatabase('mailbox_bulk');
    deps = { db: testDb.database.db, access: mailboxAccessFor(testDb.database.db) };
    mailbox = await deps.access.store.create({
      userId: 'bob',
      host: dovecot.host,
      port: dovecot.port,
      tls: false,
      username: 'bob',
      credentials: { kind: 'password', password: 'bob-password' },
    });
  }, 60_000);

  afterAll(async () => {
    await dovecot?.stop();
    await testDb?.drop();
  });

  const messageIdsIn = async (folder: string) => {
    const client = await imapAs(dovecot, 'bob', 'bob-password');
    try {
      await client.mailboxOpen(folder);
      const ids: string[] = [];
      for await (const message of client.fetch('1:*', { envelope: true }))
        ids.push(message.envelope?.messageId ?? '');
      return ids;
    } catch {
      return [];
    } finally {
      await client.logout();
    }
  };

  it('archives 2,500 messages in batches with progress, stops within one batch on cancel, and a retry finishes without moving any twice', async () => {
    const sync = new FolderSync(deps.db, { bodyMaxBytes: 2_048, batchSize: 500 });
    await syncUserEmailsTask({
      ...deps,
      sync,
      client: { submit: async () => Promise.reject(new Error('none')) },
    }).handler({ mailboxId: mailbox.id }, taskContext().context);
    const controller = new AbortController();
    const cancelled = taskContext(controller.signal);
    const afterFirstBatch = cancelled.context.progress;
    cancelled.context = {
      ...cancelled.context,
      progress: async (percent, message) => {
        await afterFirstBatch(percent, message);
        controller.abort(new Error('cancelled by the user'));
      },
    };
    const archive = bulkArchiveEmailsTask(deps);
    const payload = { mailboxId: mailbox.id, folder: 'INBOX', uids: allUids, batchSize: BATCH };
    await expect(archive.handler(payload, cancelled.context)).rejects.toThrow('cancelled by the user');
    expect(cancelled.reports).toEqual([{ percent: 10, message: `${BATCH} of ${MESSAGES} messages` }]);
    expect(await messageIdsIn('Archive')).toHaveLength(BATCH);

    const retry = taskContext();
    const result = await archive.handler(payload, retry.context);
    expect(result).toEqual({
      requested: MESSAGES,
      applied: MESSAGES - BATCH,
      missing: BATCH,
      batches: MESSAGES / BATCH,
      destination: 'Archive',
    });
    expect(retry.reports.map((report) => report.percent)).toEqual(
      Array.from({ length: MESSAGES / BATCH }, (_, index) => (index + 1) * 10),
    );
    const archived = await messageIdsIn('Archive');
    expect(archived).toHaveLength(MESSAGES);
    expect(new Set(archived).size).toBe(MESSAGES);
    expect(await messageIdsIn('INBOX')).toHaveLength(0);
    const rows = await deps.db
      .select()
      .from(inboundEmails)
      .where(and(eq(inboundEmails.mailboxId, mailbox.id), eq(inboundEmails.folder, 'INBOX')));
    expect(rows).toHaveLength(0);
  }, 120_000);

  it('labels with IMAP keywords (Dovecot has no X-GM-LABELS), idempotently, and removes them again', async () => {
    const label = bulkLabelEmailsTask(deps);
    const payload = {
      mailboxId: mailbox.id,
      folder: 'Archive',
      uids: allUids,
      batchSize: 1_000,
      labels: ['ProjectX', '$Later'],
      remove: false,
    };
    const first = await label.handler(payload, taskContext().context);
    expect(first).toMatchObject({
      requested: MESSAGES,
      applied: MESSAGES,
      mechanism: 'keywords',
      batches: 3,
    });
    await label.handler(payload, taskContext().context);
    const client = await imapAs(dovecot, 'bob', 'bob-password');
    await client.mailboxOpen('Archive');
    const flags: string[][] = [];
    for await (const message of client.fetch('1:*', { flags: true }))
      flags.push([...(message.flags ?? [])].sort());
    expect(flags).toHaveLength(MESSAGES);
    expect(flags.every((set) => set.includes('ProjectX') && set.includes('$Later'))).toBe(true);

    await label.handler(
      { ...payload, uids: allUids.slice(0, 10), labels: ['ProjectX'], remove: true },
      taskContext().context,
    );
    const stripped: string[][] = [];
    for await (const message of client.fetch('1:10', { flags: true }))
      stripped.push([...(message.flags ?? [])]);
    await client.logout();
    expect(stripped.every((set) => !set.includes('ProjectX') && set.includes('$Later'))).toBe(true);
  }, 120_000);

  it('deletes to the Trash, then for good, by UID', async () => {
    const remove = bulkDeleteEmailsTask(deps);
    const client = await imapAs(dovecot, 'bob', 'bob-password');
    const archive = await client.mailboxOpen('Archive');
    const uids = ((await client.search({ all: true }, { uid: true })) || []).slice(0, 300);
    await client.logout();
    expect(archive.exists).toBe(MESSAGES);
    const moved = await remove.handler(
      { mailboxId: mailbox.id, folder: 'Archive', uids, batchSize: 100, permanent: false },
      taskContext().context,
    );
    expect(moved).toMatchObject({ applied: 300, missing: 0, destination: 'Trash' });
    expect(await messageIdsIn('Trash')).toHaveLength(300);

    const trash = await imapAs(dovecot, 'bob', 'bob-password');
    await trash.mailboxOpen('Trash');
    const trashed = (await trash.search({ all: true }, { uid: true })) || [];
    await trash.logout();
    const purged = await remove.handler(
      { mailboxId: mailbox.id, folder: 'Trash', uids: trashed, batchSize: 100, permanent: true },
      taskContext().context,
    );
    expect(purged).toMatchObject({ applied: 300, destination: null });
    expect(await messageIdsIn('Trash')).toHaveLength(0);
    expect(await messageIdsIn('Archive')).toHaveLength(MESSAGES - 300);
  }, 120_000);
});
