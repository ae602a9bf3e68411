import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  emailClusterMembers,
  emailClusters,
  emailFeedback,
  emailSenderReputation,
  eq,
  inboundEmails,
  userExports,
} from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import yauzl from 'yauzl';
import { exportUserDataTask } from '../src/tasks/export-user-data.js';

const context = (taskId: string, signal = new AbortController().signal) =>
  ({ taskId, signal, progress: async () => {} }) as never;

/** Every entry of a zip file by name, read with an unzip library independent of the writer. */
function unzip(path: string): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      const entries = new Map<string, string>();
      zip.on('error', reject);
      zip.on('end', () => resolve(entries));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

describe('file.export_user_data', () => {
  let testDb: TestDatabase;
  let root: string;
  beforeAll(async () => {
    testDb = await createTestDatabase('export_user_data');
    root = await mkdtemp(join(tmpdir(), 'foreman-export-'));
  });
  afterAll(async () => {
    await testDb.drop();
    await rm(root, { recursive: true, force: true });
  });

  it('zips each message as .eml with the classification data as JSON, and checks out by SHA-256', async () => {
    const db = testDb.database.db;
    const messages = await db
      .insert(inboundEmails)
      .values([
        {
          userId: 'ada',
          fromAddress: 'Zoë Müller <zoe@example.test>',
          toAddresses: ['ada@example.test'],
          subject: 'Grüße aus Köln',
          body: 'Hallo Ada,\nbis bald!',
          receivedAt: new Date('2026-03-01T10:00:00Z'),
          messageId: '<abc123@example.test>',
          folder: 'INBOX',
          flags: ['\\Seen'],
          category: 'personal',
          categorizedBy: 'feedback',
          categorizedAt: new Date(),
        },
        {
          userId: 'ada',
          fromAddress: 'billing@shop.test',
          subject: 'Invoice 7',
          body: 'Total: 10 EUR',
          category: 'finance',
          categorizedBy: 'rule:x',
          categorizedAt: new Date(),
        },
      ])
      .returning();
    await db
      .insert(inboundEmails)
      .values({ userId: 'bob', fromAddress: 'x@example.test', subject: 'Not yours' });
    const first = messages[0]!;
    await db.insert(emailFeedback).values({ userId: 'ada', emailId: first.id, category: 'personal' });
    const [cluster] = await db
      .insert(emailClusters)
      .values({
        userId: 'ada',
        label: 'invoice, total',
        terms: ['invoice', 'total'],
        size: 1,
        method: 'tfidf',
      })
      .returning();
    await db
      .insert(emailClusterMembers)
      .values({ emailId: messages[1]!.id, userId: 'ada', clusterId: cluster!.id });
    await db.insert(emailSenderReputation).values({
      userId: 'ada',
      sender: 'zoe@example.test',
      score: 0.5,
      messages: 1,
      seen: 1,
      answered: 1,
      archivedUnread: 0,
      junk: 0,
      correctedWanted: 1,
      correctedSpam: 0,
    });

    const task = exportUserDataTask({ db, roots: [root], exportKeep: 3 });
    const result = await task.handler({ userId: 'ada' }, context('export-1'));
    expect(result).toMatchObject({ messages: 2 });
    const [row] = await db.select().from(userExports);
    expect(row).toMatchObject({
      id: result.exportId,
      userId: 'ada',
      sha256: result.sha256,
      bytes: result.bytes,
    });
    expect(row!.path).toBe(join(root, 'exports', 'ada', 'export-1.zip'));
    const bytes = await readFile(row!.path);
    expect(bytes.length).toBe(result.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(result.sha256);

    const entries = await unzip(row!.path);
    const names = [...entries.keys()].sort();
    expect(names).toEqual([
      'classification.json',
      `messages/000001-${[...messages].sort((a, b) => a.id.localeCompare(b.id))[0]!.id}.eml`,
      `messages/000002-${[...messages].sort((a, b) => a.id.localeCompare(b.id))[1]!.id}.eml`,
    ]);
    const eml = [...entries].find(([name]) => name.endsWith(`${first.id}.eml`))![1];
    expect(eml).toMatch(/^Message-ID: <abc123@example\.test>$/m);
    expect(eml).toMatch(/^To: ada@example\.test$/m);
    expect(eml).toMatch(/^Subject: =\?UTF-8\?Q\?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln\?=$/m);
    expect(eml).toMatch(/^Date: Sun, 01 Mar 2026 10:00:00 \+0000$/m);
    expect(eml).toContain('Hallo Ada,');
    const classification = JSON.parse(entries.get('classification.json')!);
    expect(classification.messages).toHaveLength(2);
    expect(classification.messages.map((m: { category: string }) => m.category).sort()).toEqual([
      'finance',
      'personal',
    ]);
    expect(classification.feedback).toEqual([
      expect.objectContaining({ emailId: first.id, category: 'personal' }),
    ]);
    expect(classification.clusters).toEqual([
      expect.objectContaining({ label: 'invoice, total', emailIds: [messages[1]!.id] }),
    ]);
    expect(classification.senderReputation).toEqual([
      expect.objectContaining({ sender: 'zoe@example.test', score: 0.5 }),
    ]);
    expect(JSON.stringify(classification)).not.toContain('Not yours');

    // A retry of the same task returns the recorded export and writes nothing new.
    expect(await task.handler({ userId: 'ada' }, context('export-1'))).toEqual(result);
    expect(await readdir(join(root, 'exports', 'ada'))).toEqual(['export-1.zip']);
  });

  it('pages through a mailbox larger than one page, every message once', async () => {
    const db = testDb.database.db;
    const rows = Array.from({ length: 1_100 }, (_, n) => ({
      userId: 'many',
      fromAddress: `sender${n % 7}@example.test`,
      subject: `Message ${n}`,
      body: `Body of message ${n}`,
    }));
    for (let start = 0; start < rows.length; start += 500) {
      await db.insert(inboundEmails).values(rows.slice(start, start + 500));
    }
    const result = await exportUserDataTask({ db, roots: [root], exportKeep: 3 }).handler(
      { userId: 'many' },
      context('export-many'),
    );
    expect(result.messages).toBe(1_100);
    const entries = await unzip(join(root, 'exports', 'many', 'export-many.zip'));
    const emls = [...entries].filter(([name]) => name.endsWith('.eml'));
    expect(emls).toHaveLength(1_100);
    const subjects = new Set(emls.map(([, eml]) => /^Subject: (.*)$/m.exec(eml)?.[1]));
    expect(subjects.size).toBe(1_100);
    expect(subjects.has('Message 1099')).toBe(true);
  });

  it('keeps the newest exports of a user and removes the older files and rows', async () => {
    const db = testDb.database.db;
    const task = exportUserDataTask({ db, roots: [root], exportKeep: 2 });
    for (const id of ['keep-1', 'keep-2', 'keep-3']) await task.handler({ userId: 'kim' }, context(id));
    expect((await readdir(join(root, 'exports', 'kim'))).sort()).toEqual(['keep-2.zip', 'keep-3.zip']);
    const kept = await db
      .select({ taskId: userExports.taskId })
      .from(userExports)
      .where(eq(userExports.userId, 'kim'));
    expect(kept.map((row) => row.taskId).sort()).toEqual(['keep-2', 'keep-3']);
  });

  it('leaves neither a file nor a record when stopped', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    const task = exportUserDataTask({ db: testDb.database.db, roots: [root], exportKeep: 3 });
    await expect(task.handler({ userId: 'ada' }, context('export-2', controller.signal))).rejects.toThrow();
    expect(existsSync(join(root, 'exports', 'ada', 'export-2.zip'))).toBe(false);
    expect(existsSync(join(root, 'exports', 'ada', 'export-2.zip.partial'))).toBe(false);
  });
});
