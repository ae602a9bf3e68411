import { isIP } from 'node:net';
import { ImapFlow } from 'imapflow';
import type { MailboxCredentials } from './credentials.js';
import { type HostPolicy, resolveImapHost } from './host-guard.js';
import { MailboxError } from './mailbox-error.js';

/** Where a mailbox is. */
export interface ImapTarget {
  host: string;
  port: number;
  /** Implicit TLS; false: plain, upgraded with STARTTLS whenever the server offers it. */
  tls: boolean;
  username: string;
}

export interface ImapSessionOptions extends HostPolicy {
  /** @defaultValue 15_000 */
  timeoutMs?: number;
}

/**
 * Logs in to a mailbox with a password or an OAuth access token (XOAUTH2), with CONDSTORE and
 * QRESYNC enabled where the server has them. imapflow's own logging is off: its debug lines carry
 * protocol traffic, and credentials must never reach a log. A refused login is
 * MAILBOX_AUTH_FAILED; a server that cannot be reached, MAILBOX_UNREACHABLE.
 */
export async function openImapSession(
  target: ImapTarget,
  credentials: MailboxCredentials,
  options: ImapSessionOptions = {},
): Promise<ImapFlow> {
  const address = await resolveImapHost(target.host, options);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const client = new ImapFlow({
    host: address,
    port: target.port,
    secure: target.tls,
    // The name the certificate must carry; an IP literal is no server name (RFC 6066).
    ...(isIP(target.host) === 0 ? { servername: target.host } : {}),
    auth:
      credentials.kind === 'password'
        ? { user: target.username, pass: credentials.password }
        : { user: target.username, accessToken: credentials.accessToken },
    logger: false,
    qresync: true,
    disableAutoIdle: true,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: 5 * 60_000,
  });
  // A connection dropped later rejects the command in flight; the event must not crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    const failure = error as Error & { authenticationFailed?: boolean; responseText?: string };
    client.close();
    if (failure.authenticationFailed) {
      throw new MailboxError(
        'MAILBOX_AUTH_FAILED',
        `IMAP login refused for ${target.username}@${target.host}${failure.responseText ? `: ${failure.responseText}` : ''}`,
      );
    }
    throw new MailboxError(
      'MAILBOX_UNREACHABLE',
      `IMAP server ${target.host}:${target.port} unreachable: ${failure.message}`,
    );
  }
  return client;
}

/** Logs out, or drops the connection when the server does not answer. */
export async function closeImapSession(client: ImapFlow): Promise<void> {
  try {
    await Promise.race([client.logout(), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  } catch {
    // the connection is gone either way
  }
  client.close();
}

/**
 * Opens a folder (read-only: EXAMINE, else SELECT); a folder the server does not have is
 * MAILBOX_FOLDER_MISSING, which no retry cures.
 */
export async function openFolder(
  client: ImapFlow,
  folder: string,
  { readOnly }: { readOnly: boolean },
): ReturnType<ImapFlow['mailboxOpen']> {
  try {
    return await client.mailboxOpen(folder, { readOnly });
  } catch (error) {
    const refusal = error as { mailboxMissing?: boolean; serverResponseCode?: string };
    if (refusal.mailboxMissing || refusal.serverResponseCode === 'NONEXISTENT') {
      throw new MailboxError('MAILBOX_FOLDER_MISSING', `Folder ${folder} does not exist on the server`);
    }
    throw error;
  }
}
