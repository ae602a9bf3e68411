import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createRegistry } from '@foreman/contracts';
import { TaskClient } from '@foreman/core';
import {
  type AppProcess,
  createTestRedis,
  startAppProcess,
  type TestRedis,
  waitFor,
} from '@foreman/core/testing';
import { and, eq, inboundEmails, sql, tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { MailboxStore, type MailboxView, SecretBox } from '@foreman/imap';
import { startDovecot, type TestDovecot } from '@foreman/imap/testing';
import { imapAs } from './mailbox-harness.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const MESSAGES = 5_000;
const PASSWORD = `kim-${randomBytes(8).toString('hex')}`;

describe('email worker killed mid sync and mid bulk operation', () => {
  let dovecot: TestDovecot;
  let testRedis: TestRedis;
  let testDb: TestDatabase;
  let client: TaskClient;
  let mailbox: MailboxView;
  const workers: AppProcess[] = [];
  const key = randomBytes(32);

  const startWorker = async () => {
    const worker = await startAppProcess(
      root,
      'email-worker',
      {
        REDIS_URL: testRedis.url,
        QUEUE_PREFIX: testRedis.prefix,
        DATABASE_URL: testDb.url,
        DATABASE_SCHEMA: testDb.schema,
        HEALTH_PORT: '0',
        METRICS_ENABLED: 'false',
        // A killed worker's task is retaken quickly.
        WORKER_LOCK_DURATION_MS: '2000',
        WORKER_STALLED_INTERVAL_MS: '1000',
        MAILBOX_SECRET_KEY: `k1:${key.toString('base64')}`,
        MAILBOX_ALLOW_PRIVATE_HOSTS: 'true',
        EMAIL_SYNC_BATCH_SIZE: '100',
        // The per-mailbox runs of a scheduled sync go through fair admission.
        FAIRNESS: '{"email":{"concurrency":2}}',
        // No beat or maintenance-worker runs here: the workers store the records.
        RECORD_PROJECTOR: 'true',
        LOG_LEVEL: 'debug',
      },
      'worker started',
    );
    workers.push(worker);
    return worker;
  };
  const kill = async (worker: AppProcess) => {
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
    const gone = new Promise((resolve) => worker.child.once('exit', resolve));
    worker.child.kill('SIGKILL');
    await gone;
  };
  const record = async (taskId: string) => {
    const [row] = await testDb.database.db.select().from(tasks).where(eq(tasks.id, taskId));
    return row;
  };
  const finished = (taskId: string, status = 'completed') =>
    waitFor(async () => ((await record(taskId))?.status === status ? record(taskId) : undefined), {
      timeoutMs: 90_000,
      intervalMs: 200,
      what: `task ${taskId} to be ${status}`,
    });
  const countIn = async (folder: string) => {
    const imap = await imapAs(dovecot, 'kim', PASSWORD);
    const status = await imap.status(folder, { messages: true });
    await imap.logout();
    return status ? (status.messages ?? 0) : 0;
  };

  beforeAll(async () => {
    dovecot = await startDovecot();
    dovecot.addUser('kim', PASSWORD);
    dovecot.seed(
      'kim',
      'INBOX',
      Array.from({ length: MESSAGES }, (_, index) => ({ messageId: `<kim-${index}@example.test>` })),
    );
    testRedis = await createTestRedis('mailbox_kill');
    testDb = await createTestDatabase('mailbox_kill');
    mailbox = await new MailboxStore(testDb.database.db, new SecretBox({ id: 'k1', key })).create({
      userId: 'kim',
      host: dovecot.host,
      port: dovecot.port,
      tls: false,
      username: 'kim',
      credentials: { kind: 'password', password: PASSWORD },
    });
    client = new TaskClient({
      registry: createRegistry(),
      connection: testRedis.redis,
      prefix: testRedis.prefix,
    });
  }, 60_000);

  afterAll(async () => {
    for (const worker of workers) await kill(worker).catch(() => {});
    await client?.close();
    await dovecot?.stop();
    await testRedis?.cleanup();
    await testDb?.drop();
  }, 30_000);

  it('finishes a full sync a killed worker began, resuming without duplicating a message', async () => {
    const first = await startWorker();
    const { taskId } = await client.submit('email.sync_user_emails', { mailboxId: mailbox.id });
    const stored = async () =>
      Number(
        (
          await testDb.database.db.execute<{ n: string }>(
            sql`select count(*) as n from ${inboundEmails} where mailbox_id = ${mailbox.id}`,
          )
        ).rows[0]?.n,
      );
    await waitFor(async () => ((await stored()) >= 1_000 ? true : undefined), {
      timeoutMs: 60_000,
      what: 'the sync to be under way',
    });
    await kill(first);
    const partly = await stored();
    expect(partly).toBeLessThan(MESSAGES);

    await startWorker();
    const done = await finished(taskId);
    expect(done?.attempts).toBe(2);
    expect(done?.result).toMatchObject({ mailboxes: 1, errors: [] });
    // The second attempt resumed after what the first had stored.
    expect((done?.result as { stored: number } | undefined)?.stored).toBeLessThanOrEqual(
      MESSAGES - partly + 100,
    );
    const rows = await testDb.database.db
      .select({ uid: inboundEmails.uid, messageId: inboundEmails.messageId })
      .from(inboundEmails)
      .where(and(eq(inboundEmails.mailboxId, mailbox.id), eq(inboundEmails.folder, 'INBOX')));
    expect(rows).toHaveLength(MESSAGES);
    expect(new Set(rows.map((row) => row.messageId)).size).toBe(MESSAGES);
  }, 180_000);

  it('finishes a bulk archive a killed worker began without moving a message twice, and stops a cancelled one', async () => {
    const second = workers.at(-1) as AppProcess;
    const uids = Array.from({ length: MESSAGES }, (_, index) => index + 1);
    const { taskId } = await client.submit('email.bulk_archive_emails', {
      mailboxId: mailbox.id,
      uids,
      batchSize: 100,
    });
    await waitFor(async () => ((await countIn('Archive')) >= 1_000 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: 'the archive to be under way',
    });
    await kill(second);
    const before = await countIn('Archive');
    expect(before).toBeLessThan(MESSAGES);

    await startWorker();
    const done = await finished(taskId);
    expect(done?.result).toMatchObject({
      requested: MESSAGES,
      batches: MESSAGES / 100,
      destination: 'Archive',
    });
    const { applied, missing } = (done?.result ?? {}) as { applied: number; missing: number };
    expect(applied + missing).toBe(MESSAGES);
    expect(missing).toBeGreaterThanOrEqual(before - 100);
    expect(await countIn('INBOX')).toBe(0);
    const imap = await imapAs(dovecot, 'kim', PASSWORD);
    await imap.mailboxOpen('Archive');
    const ids: string[] = [];
    for await (const message of imap.fetch('1:*', { envelope: true }))
      ids.push(message.envelope?.messageId ?? '');
    expect(ids).toHaveLength(MESSAGES);
    expect(new Set(ids).size).toBe(MESSAGES);

    // Cancelled while it runs: the label stops at a batch boundary and no batch follows.
    const archived = ((await imap.search({ all: true }, { uid: true })) || []) as number[];
    const label = await client.submit('email.bulk_label_emails', {
      mailboxId: mailbox.id,
      folder: 'Archive',
      uids: archived,
      batchSize: 100,
      labels: ['Reviewed'],
    });
    await waitFor(async () => (((await record(label.taskId))?.progress ?? 0) > 0 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 50,
      what: 'live progress of the label',
    });
    await client.cancel(label.taskId);
    await finished(label.taskId, 'cancelled');
    // A session of its own per count: it sees every keyword the worker's session created.
    const labelled = async () => {
      const reader = await imapAs(dovecot, 'kim', PASSWORD);
      await reader.mailboxOpen('Archive');
      const found = ((await reader.search({ keyword: 'Reviewed' }, { uid: true })) || []) as number[];
      await reader.logout();
      return found.length;
    };
    const atCancel = await labelled();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await labelled()).toBe(atCancel);
    expect(atCancel % 100).toBe(0);
    expect(atCancel).toBeLessThan(MESSAGES);
    await imap.logout();
  }, 180_000);

  it('submits one run per mailbox, for its owner, when a sync names no mailbox (the schedule)', async () => {
    const { taskId } = await client.submit('email.incremental_sync', {});
    const parent = await finished(taskId);
    const child = `${taskId}-${mailbox.id}`;
    expect(parent?.result).toMatchObject({ submitted: [child], mailboxes: 0 });
    const run = await finished(child);
    expect(run).toMatchObject({ userId: 'kim', name: 'email.incremental_sync' });
    expect(run?.result).toMatchObject({ mailboxes: 1, errors: [] });

    // Credentials never reach a log, at debug level either.
    for (const worker of workers) {
      expect(worker.logs.join('\n')).not.toContain(PASSWORD);
      expect(worker.logs.join('\n')).not.toContain(key.toString('base64'));
    }
  }, 180_000);
});
