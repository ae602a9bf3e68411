import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  and,
  asc,
  type Db,
  emailClusterMembers,
  emailClusters,
  emailFeedback,
  emailSenderReputation,
  eq,
  gt,
  inboundEmails,
} from '@foreman/db';
import { composeEml } from '@foreman/mail';
import { ZipFile } from 'yazl';
import { hashStream } from '../backup/hash-stream.js';

const PAGE = 500;

export interface WrittenExport {
  messages: number;
  bytes: number;
  sha256: string;
}

/** Name of the JSON file in the zip with categories, corrections, clusters and sender scores. */
export const CLASSIFICATION_FILE = 'classification.json';

/**
 * Writes a user's messages as `messages/<n>-<id>.eml` and their classification data as
 * `classification.json` into a zip at `target`. Written to `<target>.partial` and renamed at the
 * end, so an interrupted export leaves nothing that looks complete.
 */
export async function writeExportZip(
  db: Db,
  userId: string,
  target: string,
  signal: AbortSignal,
): Promise<WrittenExport> {
  const partial = `${target}.partial`;
  await mkdir(dirname(target), { recursive: true });
  await rm(partial, { force: true });
  const zip = new ZipFile();
  const hashed = hashStream();
  // Aborted on a failure while adding entries, so the pipeline stops instead of waiting for more.
  const failed = new AbortController();
  zip.on('error', (error: unknown) => failed.abort(error));
  const written = pipeline(zip.outputStream, hashed.stream, createWriteStream(partial, { flags: 'wx' }), {
    signal: AbortSignal.any([signal, failed.signal]),
  });
  try {
    const categories: unknown[] = [];
    let after = '00000000-0000-0000-0000-000000000000';
    // Keyset paging, and waiting for the zip to catch up: memory stays flat however many messages.
    for (;;) {
      signal.throwIfAborted();
      const page = await db
        .select()
        .from(inboundEmails)
        .where(and(eq(inboundEmails.userId, userId), gt(inboundEmails.id, after)))
        .orderBy(asc(inboundEmails.id))
        .limit(PAGE);
      let pageStarted: Promise<void> | undefined;
      for (const message of page) {
        const file = `messages/${String(categories.length + 1).padStart(6, '0')}-${message.id}.eml`;
        let started = () => {};
        pageStarted ??= new Promise<void>((resolve) => {
          started = resolve;
        });
        // Composed when the zip reaches the entry, so one message's bytes are in memory at a time.
        zip.addReadStreamLazy(file, { mtime: message.receivedAt }, (callback) => {
          started();
          composeEml({
            from: message.fromAddress,
            to: message.toAddresses,
            subject: message.subject,
            text: message.body,
            date: message.receivedAt,
            messageId: message.messageId,
          }).then(
            (eml) => callback(null, Readable.from([eml])),
            (error: unknown) => callback(error, Readable.from([])),
          );
        });
        categories.push({
          id: message.id,
          file,
          messageId: message.messageId,
          from: message.fromAddress,
          subject: message.subject,
          receivedAt: message.receivedAt,
          folder: message.folder,
          flags: message.flags,
          category: message.category,
          categorizedBy: message.categorizedBy,
        });
      }
      if (page.length < PAGE) break;
      after = page.at(-1)?.id as string;
      // The zip has reached this page, so the one before is written out: at most two pages wait.
      if (pageStarted) await Promise.race([pageStarted, written]);
    }
    const [feedback, clusters, members, reputation] = await Promise.all([
      db
        .select()
        .from(emailFeedback)
        .where(eq(emailFeedback.userId, userId))
        .orderBy(asc(emailFeedback.createdAt)),
      db.select().from(emailClusters).where(eq(emailClusters.userId, userId)).orderBy(asc(emailClusters.id)),
      db.select().from(emailClusterMembers).where(eq(emailClusterMembers.userId, userId)),
      db
        .select()
        .from(emailSenderReputation)
        .where(eq(emailSenderReputation.userId, userId))
        .orderBy(asc(emailSenderReputation.sender)),
    ]);
    const classification = {
      version: 1,
      userId,
      exportedAt: new Date().toISOString(),
      messages: categories,
      feedback: feedback.map(({ userId: _owner, ...row }) => row),
      clusters: clusters.map(({ userId: _owner, ...cluster }) => ({
        ...cluster,
        emailIds: members.filter((member) => member.clusterId === cluster.id).map((member) => member.emailId),
      })),
      senderReputation: reputation.map(({ userId: _owner, ...row }) => row),
    };
    zip.addBuffer(Buffer.from(`${JSON.stringify(classification, null, 2)}\n`), CLASSIFICATION_FILE);
    zip.end();
    await written;
    await rename(partial, target);
    return { messages: categories.length, ...hashed.digest() };
  } catch (error) {
    failed.abort(error);
    await written.catch(() => {});
    await rm(partial, { force: true });
    throw error;
  }
}
