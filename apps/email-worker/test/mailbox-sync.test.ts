import { and, eq, inboundEmails, mailboxes, mailboxFolders, sql } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import type { MailboxView } from '@foreman/imap';
import { startDovecot, type TestDovecot } from '@foreman/imap/testing';
import { FolderSync } from '../src/mailbox/folder-sync.js';
import {
  cleanupOldEmailsTask,
  incrementalSyncTask,
  syncEmailMetadataTask,
  syncUserEmailsTask,
} from '../src/tasks/sync-mailboxes.js';
import { imapAs, mailboxAccessFor, taskContext } from './mailbox-harness.js';

const MESSAGES = 5_000;

describe('mailbox sync against Dovecot', () => {
  let dovecot: TestDovecot;
  let testDb: TestDatabase;
  let mailbox: MailboxView;
  let deps: Parameters<typeof syncUserEmailsTask>[0];

  beforeAll(async () => {
    dovecot = await startDovecot();
    dovecot.addUser('ada', 'ada-password');
    dovecot.seed(
      'ada',
      'INBOX',
      Array.from({ length: MESSAGES }, (_, index) => ({
        subject: `Report ${index}`,
        messageId: `<report-${index}@example.test>`,
        flags: index % 3 === 0 ? [] : ['\\Seen'],
        body: `Figures for week ${index}.\n\nRegards`,
      })),
    );
    testDb = await createTestDatabase('mailbox_sync');
    const access = mailboxAccessFor(testDb.database.db);
    mailbox = await access.store.create({
      userId: 'ada',
      host: dovecot.host,
      port: dovecot.port,
      tls: false,
      username: 'ada',
      credentials: { kind: 'password', password: 'ada-password' },
      folders: ['INBOX', 'Projects'],
    });
    deps = {
      access: { ...access },
      sync: new FolderSync(testDb.database.db, { bodyMaxBytes: 4_096, batchSize: 500 }),
      client: { submit: async () => Promise.reject(new Error('no fan-out here')) },
    };
    const client = await imapAs(dovecot, 'ada', 'ada-password');
    await client.mailboxCreate('Projects');
    await client.append(
      'Projects',
      'Subject: kickoff\r\nMessage-ID: <kickoff@example.test>\r\n\r\nhello\r\n',
    );
    await client.logout();
  }, 60_000);

  afterAll(async () => {
    await dovecot?.stop();
    await testDb?.drop();
  });

  const db = () => testDb.database.db;
  const stored = (folder = 'INBOX') =>
    db()
      .select()
      .from(inboundEmails)
      .where(and(eq(inboundEmails.mailboxId, mailbox.id), eq(inboundEmails.folder, folder)));

  it('syncs a 5,000-message mailbox in full, with progress, and again without duplicating a row', async () => {
    const { context, reports } = taskContext();
    const result = await syncUserEmailsTask(deps).handler({ mailboxId: mailbox.id }, context);
    expect(result).toMatchObject({ mailboxes: 1, folders: 2, stored: MESSAGES + 1, removed: 0, errors: [] });
    const rows = await stored();
    expect(rows).toHaveLength(MESSAGES);
    expect(new Set(rows.map((row) => row.uid)).size).toBe(MESSAGES);
    const report = rows.find((row) => row.messageId === '<report-7@example.test>');
    expect(report).toMatchObject({
      userId: 'ada',
      subject: 'Report 7',
      fromAddress: 'sender7@example.test',
      toAddresses: ['owner@example.test'],
      flags: ['\\Seen'],
      snippet: 'Figures for week 7. Regards',
    });
    expect(report?.body).toContain('Figures for week 7.');
    expect(report?.sizeBytes).toBeGreaterThan(100);
    expect(rows.filter((row) => row.flags?.length === 0)).toHaveLength(Math.ceil(MESSAGES / 3));
    expect(reports.at(-1)?.percent).toBe(100);
    expect(reports.length).toBeGreaterThanOrEqual(MESSAGES / 500);
    const [state] = await db()
      .select()
      .from(mailboxFolders)
      .where(and(eq(mailboxFolders.mailboxId, mailbox.id), eq(mailboxFolders.folder, 'INBOX')));
    expect(state).toMatchObject({ uidNext: MESSAGES + 1, fullSyncThroughUid: null });
    expect(state?.highestModseq).toBeGreaterThan(0n);

    // Again, for every mailbox of the user: the same rows, none added.
    const again = await syncUserEmailsTask(deps).handler({ userId: 'ada' }, taskContext().context);
    expect(again).toMatchObject({ mailboxes: 1, stored: MESSAGES + 1, removed: 0, errors: [] });
    expect(await stored()).toHaveLength(MESSAGES);
  }, 120_000);

  it('picks up new mail, a flag change and an expunge incrementally', async () => {
    dovecot.seed('ada', 'INBOX', [
      { subject: 'Fresh one', messageId: '<fresh-1@example.test>', date: new Date() },
      { subject: 'Fresh two', messageId: '<fresh-2@example.test>', date: new Date() },
    ]);
    const client = await imapAs(dovecot, 'ada', 'ada-password');
    await client.mailboxOpen('INBOX');
    await client.messageFlagsAdd('10', ['\\Flagged'], { uid: true });
    await client.messageDelete('20', { uid: true });
    await client.logout();

    const result = await incrementalSyncTask(deps).handler({ mailboxId: mailbox.id }, taskContext().context);
    expect(result).toMatchObject({ stored: 2, flagUpdates: 1, expunged: 1, fullResyncs: 0, errors: [] });
    const rows = await stored();
    expect(rows).toHaveLength(MESSAGES + 1);
    expect(rows.filter((row) => row.subject.startsWith('Fresh'))).toHaveLength(2);
    expect(rows.find((row) => row.uid === 10)?.flags).toContain('\\Flagged');
    expect(rows.find((row) => row.uid === 20)).toBeUndefined();

    const quiet = await incrementalSyncTask(deps).handler({ mailboxId: mailbox.id }, taskContext().context);
    expect(quiet).toMatchObject({ stored: 0, flagUpdates: 0, expunged: 0 });
  }, 60_000);

  it('syncs flags only with sync_email_metadata', async () => {
    const client = await imapAs(dovecot, 'ada', 'ada-password');
    await client.mailboxOpen('INBOX');
    await client.messageFlagsRemove('1:3', ['\\Seen'], { uid: true });
    await client.messageDelete('30', { uid: true });
    await client.logout();
    dovecot.seed('ada', 'INBOX', [{ subject: 'Not yet', date: new Date() }]);

    const result = await syncEmailMetadataTask(deps).handler(
      { mailboxId: mailbox.id },
      taskContext().context,
    );
    // UIDs 2 and 3 were seen (1 was not); the new message waits for the next incremental sync.
    expect(result).toMatchObject({ mailboxes: 1, flagUpdates: 2, expunged: 1, errors: [] });
    const rows = await stored();
    expect(rows.find((row) => row.uid === 2)?.flags).toEqual([]);
    expect(rows.some((row) => row.subject === 'Not yet')).toBe(false);
    const next = await incrementalSyncTask(deps).handler({ mailboxId: mailbox.id }, taskContext().context);
    expect(next).toMatchObject({ stored: 1, flagUpdates: 0, expunged: 0 });
  }, 60_000);

  it('fails for good on a folder the server does not have', async () => {
    await db().execute(sql`update mailboxes set folders = '{INBOX,Nowhere}' where id = ${mailbox.id}`);
    try {
      await expect(
        incrementalSyncTask(deps).handler({ mailboxId: mailbox.id }, taskContext().context),
      ).rejects.toMatchObject({
        name: 'NonRetryableError',
        message: 'Folder Nowhere does not exist on the server',
      });
      const [row] = await db().select().from(mailboxes).where(eq(mailboxes.id, mailbox.id));
      expect(row?.lastError).toBe('Folder Nowhere does not exist on the server');
    } finally {
      await db().execute(sql`update mailboxes set folders = '{INBOX,Projects}' where id = ${mailbox.id}`);
    }
  });

  it('resyncs a folder in full when its UIDVALIDITY changes', async () => {
    expect((await stored('Projects')).map((row) => row.subject)).toEqual(['kickoff']);
    const client = await imapAs(dovecot, 'ada', 'ada-password');
    await client.mailboxDelete('Projects');
    await client.mailboxCreate('Projects');
    await client.append('Projects', 'Subject: relaunch\r\n\r\nagain\r\n');
    await client.logout();

    const result = await incrementalSyncTask(deps).handler({ mailboxId: mailbox.id }, taskContext().context);
    expect(result).toMatchObject({ fullResyncs: 1, stored: 1 });
    expect((await stored('Projects')).map((row) => row.subject)).toEqual(['relaunch']);
  }, 60_000);

  it('deletes rows past the retention from the database only, never on the server', async () => {
    await db().execute(sql`update mailboxes set retention_days = 30 where id = ${mailbox.id}`);
    const result = await cleanupOldEmailsTask({ db: db() }).handler({ userId: 'ada' }, taskContext().context);
    // Everything seeded without a date is from January 2026; the fresh ones are from today.
    expect(result.deleted).toBeGreaterThan(MESSAGES - 10);
    const left = await stored();
    expect(left.map((row) => row.subject).sort()).toEqual(['Fresh one', 'Fresh two', 'Not yet']);
    const client = await imapAs(dovecot, 'ada', 'ada-password');
    const status = await client.status('INBOX', { messages: true });
    await client.logout();
    expect(status ? status.messages : undefined).toBe(MESSAGES + 3 - 2);
    // A full sync does not bring back what retention removed.
    const resync = await syncUserEmailsTask(deps).handler({ mailboxId: mailbox.id }, taskContext().context);
    expect(resync.errors).toEqual([]);
    expect(await stored()).toHaveLength(3);
  }, 60_000);
});

describe('mailbox sync against a Dovecot without CONDSTORE', () => {
  let dovecot: TestDovecot;
  let testDb: TestDatabase;

  beforeAll(async () => {
    dovecot = await startDovecot({ condstore: false });
    dovecot.addUser('ben', 'ben-password');
    dovecot.seed(
      'ben',
      'INBOX',
      Array.from({ length: 50 }, (_, index) => ({ subject: `Note ${index}`, flags: ['\\Seen'] })),
    );
    testDb = await createTestDatabase('mailbox_nomodseq');
  }, 30_000);
  afterAll(async () => {
    await dovecot?.stop();
    await testDb?.drop();
  });

  it('compares every flag and the UID list instead of asking for changes since a MODSEQ', async () => {
    const db = testDb.database.db;
    const access = mailboxAccessFor(db);
    const mailbox = await access.store.create({
      userId: 'ben',
      host: dovecot.host,
      port: dovecot.port,
      tls: false,
      username: 'ben',
      credentials: { kind: 'password', password: 'ben-password' },
    });
    const deps = {
      access,
      sync: new FolderSync(db, { bodyMaxBytes: 1_024, batchSize: 20 }),
      client: { submit: async () => Promise.reject(new Error('no fan-out here')) },
    };
    const full = await syncUserEmailsTask(deps).handler({ mailboxId: mailbox.id }, taskContext().context);
    expect(full).toMatchObject({ stored: 50 });
    const [state] = await db.select().from(mailboxFolders).where(eq(mailboxFolders.mailboxId, mailbox.id));
    expect(state?.highestModseq).toBeNull();

    const client = await imapAs(dovecot, 'ben', 'ben-password');
    expect(client.capabilities.has('CONDSTORE')).toBe(false);
    await client.mailboxOpen('INBOX');
    await client.messageFlagsRemove('5', ['\\Seen'], { uid: true });
    await client.messageDelete('6:7', { uid: true });
    await client.logout();
    dovecot.seed('ben', 'INBOX', [{ subject: 'Late note', date: new Date() }]);

    const result = await incrementalSyncTask(deps).handler({ mailboxId: mailbox.id }, taskContext().context);
    expect(result).toMatchObject({ stored: 1, flagUpdates: 1, expunged: 2, fullResyncs: 0 });
    const rows = await db.select().from(inboundEmails).where(eq(inboundEmails.mailboxId, mailbox.id));
    expect(rows).toHaveLength(49);
    expect(rows.find((row) => row.uid === 5)?.flags).toEqual([]);
  });
});
