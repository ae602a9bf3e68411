import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createRegistry } from '@foreman/contracts';
import { TaskClient } from '@foreman/core';
import { type AppProcess, startAppProcess, waitFor } from '@foreman/core/testing';
import { eq, tasks } from '@foreman/db';
import { createTestDatabase } from '@foreman/db/testing';
import { MailboxStore, SecretBox } from '@foreman/imap';
import { startDovecot } from '@foreman/imap/testing';
import { RedisServer } from '../infra/redis-server.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

export interface ImapSyncOptions {
  messages: number;
  /** Bytes of body text per message. */
  bodyBytes: number;
  /** EMAIL_SYNC_BATCH_SIZE of the worker. */
  batchSize: number;
  redisServer?: string;
}

export interface ImapSyncFigures {
  messages: number;
  /** From the task's start to its end on the worker (its record), not counting queue wait. */
  fullSyncMs: number;
  fullMessagesPerSecond: number;
  /** An incremental sync after 1% new mail, a flag change and an expunge. */
  incrementalMs: number;
}

/**
 * The email worker, as its own process, syncs a Dovecot mailbox of `messages` messages in full
 * (email.sync_user_emails), then incrementally; every part (Dovecot, Redis, the worker) is
 * started here on loopback and stopped at the end.
 */
export async function runImapSyncBench(options: ImapSyncOptions): Promise<ImapSyncFigures> {
  const dovecot = await startDovecot();
  const redis = await RedisServer.start(options.redisServer);
  const database = await createTestDatabase('bench_imap');
  let worker: AppProcess | undefined;
  const client = new TaskClient({ registry: createRegistry(), connection: redis.admin, prefix: 'bench' });
  try {
    const password = randomBytes(12).toString('hex');
    dovecot.addUser('bench', password);
    const body = 'Lorem ipsum dolor sit amet. '
      .repeat(Math.ceil(options.bodyBytes / 28))
      .slice(0, options.bodyBytes);
    dovecot.seed(
      'bench',
      'INBOX',
      Array.from({ length: options.messages }, (_, index) => ({ subject: `Bench ${index}`, body })),
    );
    const key = randomBytes(32);
    const mailbox = await new MailboxStore(database.database.db, new SecretBox({ id: 'bench', key })).create({
      userId: 'bench',
      host: dovecot.host,
      port: dovecot.port,
      tls: false,
      username: 'bench',
      credentials: { kind: 'password', password },
    });
    worker = await startAppProcess(
      root,
      'email-worker',
      {
        REDIS_URL: redis.url,
        QUEUE_PREFIX: 'bench',
        DATABASE_URL: database.url,
        DATABASE_SCHEMA: database.schema,
        HEALTH_PORT: '0',
        METRICS_ENABLED: 'false',
        MAILBOX_SECRET_KEY: `bench:${key.toString('base64')}`,
        MAILBOX_ALLOW_PRIVATE_HOSTS: 'true',
        EMAIL_SYNC_BATCH_SIZE: String(options.batchSize),
      },
      'worker started',
    );
    const run = async (name: string) => {
      const { taskId } = await client.submit(name, { mailboxId: mailbox.id });
      const row = await waitFor(
        async () => {
          const [record] = await database.database.db.select().from(tasks).where(eq(tasks.id, taskId));
          if (record?.status === 'failed') throw new Error(`${name} failed: ${record.error}`);
          return record?.status === 'completed' ? record : undefined;
        },
        { timeoutMs: 30 * 60_000, intervalMs: 100, what: `${name} to complete` },
      );
      return (row.completedAt as Date).getTime() - (row.startedAt as Date).getTime();
    };
    const fullSyncMs = await run('email.sync_user_emails');
    dovecot.seed(
      'bench',
      'INBOX',
      Array.from({ length: Math.max(1, Math.floor(options.messages / 100)) }, (_, index) => ({
        subject: `Late ${index}`,
        body,
      })),
    );
    const incrementalMs = await run('email.incremental_sync');
    return {
      messages: options.messages,
      fullSyncMs,
      fullMessagesPerSecond: Math.round((options.messages / fullSyncMs) * 1_000),
      incrementalMs,
    };
  } finally {
    await worker?.stop();
    await client.close();
    await redis.stop();
    await dovecot.stop();
    await database.drop();
  }
}
