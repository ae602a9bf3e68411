import { emailClusterMembers, emailSenderReputation, eq, inboundEmails } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import type { MailboxView } from '@foreman/imap';
import { startDovecot, type TestDovecot } from '@foreman/imap/testing';
import { FolderSync } from '../src/mailbox/folder-sync.js';
import { classifyEmailBatchTask } from '../src/tasks/classify-email-batch.js';
import { clusterUserEmailsTask } from '../src/tasks/cluster-user-emails.js';
import { syncUserEmailsTask } from '../src/tasks/sync-mailboxes.js';
import { updateSenderReputationTask } from '../src/tasks/update-sender-reputation.js';
import { imapAs, mailboxAccessFor, taskContext } from './mailbox-harness.js';

const settings = {
  categories: ['work', 'personal'],
  defaultCategory: 'other',
  spamCategory: 'spam',
  lowReputationScore: -0.4,
  highReputationScore: 0.4,
  useAiByDefault: false,
};

const topics = {
  invoices: 'invoice payment amount due account billing statement',
  football: 'match goal league team season striker',
  gardening: 'tomato seeds soil compost garden watering',
};

// The classification side over mail that came from a real IMAP server, not seeded rows.
describe('from a Dovecot mailbox to categories, sender scores and topics', () => {
  let dovecot: TestDovecot;
  let testDb: TestDatabase;
  let mailbox: MailboxView;

  beforeAll(async () => {
    dovecot = await startDovecot();
    dovecot.addUser('ada', 'ada-password');
    const messages = (topic: keyof typeof topics, sender: string) =>
      Array.from({ length: 8 }, (_, index) => ({
        subject: `${topic} ${index}`,
        messageId: `<${topic}-${index}@example.test>`,
        from: sender,
        body: `${topics[topic]} ${topics[topic].split(' ').reverse().join(' ')} ${index}`,
      }));
    // Read and answered: a sender the user cares about. Untouched: no opinion.
    dovecot.seed('ada', 'INBOX', [
      ...messages('football', 'football@sender1.test').map((m) => ({
        ...m,
        flags: ['\\Seen', '\\Answered'],
      })),
      ...messages('gardening', 'gardening@sender2.test'),
    ]);
    // Marked as junk by a mail client, with the $Junk keyword over IMAP.
    const imap = await imapAs(dovecot, 'ada', 'ada-password');
    for (const m of messages('invoices', 'invoices@sender0.test')) {
      const raw = `From: ${m.from}\r\nSubject: ${m.subject}\r\nMessage-ID: ${m.messageId}\r\n\r\n${m.body}\r\n`;
      await imap.append('INBOX', raw, ['$Junk']);
    }
    await imap.logout();
    testDb = await createTestDatabase('mailbox_insight');
    const access = mailboxAccessFor(testDb.database.db);
    mailbox = await access.store.create({
      userId: 'ada',
      host: dovecot.host,
      port: dovecot.port,
      tls: false,
      username: 'ada',
      credentials: { kind: 'password', password: 'ada-password' },
      folders: ['INBOX'],
    });
    await syncUserEmailsTask({
      access,
      sync: new FolderSync(testDb.database.db, { bodyMaxBytes: 4_096, batchSize: 10 }),
      client: { submit: async () => Promise.reject(new Error('no fan-out here')) },
    }).handler({ mailboxId: mailbox.id }, taskContext().context);
  }, 60_000);

  afterAll(async () => {
    await dovecot?.stop();
    await testDb?.drop();
  });

  it('classifies, scores and clusters what sync stored', async () => {
    const db = testDb.database.db;
    const { context } = taskContext();
    const synced = await db.select().from(inboundEmails).where(eq(inboundEmails.mailboxId, mailbox.id));
    expect(synced).toHaveLength(24);

    await updateSenderReputationTask({ db, ...settings }).handler({ userId: 'ada' }, context);
    const scores = Object.fromEntries(
      (await db.select().from(emailSenderReputation).where(eq(emailSenderReputation.userId, 'ada'))).map(
        (row) => [row.sender, row.score],
      ),
    );
    expect(scores['invoices@sender0.test']).toBeLessThanOrEqual(settings.lowReputationScore);
    expect(scores['football@sender1.test']).toBeGreaterThanOrEqual(settings.highReputationScore);

    await classifyEmailBatchTask({ db, ...settings }).handler(
      { userId: 'ada', limit: 100, reclassify: false },
      context,
    );
    const labelled = await db.select().from(inboundEmails).where(eq(inboundEmails.mailboxId, mailbox.id));
    expect(labelled.every((row) => row.category !== null && row.categorizedAt !== null)).toBe(true);
    for (const row of labelled.filter((message) => message.subject.startsWith('invoices'))) {
      expect(row).toMatchObject({ category: 'spam', categorizedBy: 'reputation' });
    }

    await clusterUserEmailsTask({ db }).handler({ userId: 'ada', clusters: 3, limit: 2_000 }, context);
    const members = await db.select().from(emailClusterMembers).where(eq(emailClusterMembers.userId, 'ada'));
    const clusterOf = new Map(members.map((member) => [member.emailId, member.clusterId]));
    for (const topic of Object.keys(topics)) {
      const ids = labelled.filter((row) => row.subject.startsWith(topic)).map((row) => clusterOf.get(row.id));
      // Each topic's messages share one cluster, and no other topic's.
      expect(new Set(ids).size).toBe(1);
    }
    expect(new Set(clusterOf.values()).size).toBe(3);
  });
});
