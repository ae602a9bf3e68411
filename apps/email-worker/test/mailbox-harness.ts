import { randomBytes } from 'node:crypto';
import type { TaskContext } from '@foreman/core';
import type { Db } from '@foreman/db';
import { MailboxConnector, MailboxStore, SecretBox } from '@foreman/imap';
import type { TestDovecot } from '@foreman/imap/testing';
import { createLogger } from '@foreman/logger';
import { ImapFlow } from 'imapflow';

/** A task context for calling a handler directly; `progress` keeps every report. */
export interface ProgressReport {
  percent: number;
  message: string | undefined;
}

export function taskContext(signal: AbortSignal = new AbortController().signal): {
  context: TaskContext;
  reports: ProgressReport[];
} {
  const reports: ProgressReport[] = [];
  const context: TaskContext = {
    taskId: `t-${randomBytes(4).toString('hex')}`,
    taskName: 'test',
    queue: 'email',
    attempt: 1,
    maxAttempts: 1,
    userId: undefined,
    signal,
    logger: createLogger('test', { level: 'silent' }),
    workflow: undefined,
    progress: async (percent: number, message?: string) => {
      reports.push({ percent, message });
    },
  };
  return { context, reports };
}

export const randomKey = (id: string) => ({ id, key: randomBytes(32) });

/** The mailbox store and connector the workers build, over a test database and a loopback Dovecot. */
export function mailboxAccessFor(db: Db, secrets = new SecretBox(randomKey('k1'))) {
  const store = new MailboxStore(db, secrets);
  const hosts = { allowPrivate: true };
  const connector = new MailboxConnector({ store, hosts });
  return { store, connector, secrets, hosts };
}

/** A client of the test's own, acting on the server the way another mail program would. */
export async function imapAs(dovecot: TestDovecot, user: string, password: string): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    auth: { user, pass: password },
    logger: false,
  });
  await client.connect();
  return client;
}
