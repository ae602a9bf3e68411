import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isPublicAddress } from '@foreman/net';
import { MailboxError } from './mailbox-error.js';

export interface HostPolicy {
  /** Connect to any address, private and loopback included: a trusted network only. @defaultValue false */
  allowPrivate?: boolean;
  /** Host names or IP literals connected to even when their address is not public. @defaultValue [] */
  allowedHosts?: readonly string[];
}

/**
 * The address to connect to for a user-given IMAP host: resolved once here and connected to by
 * address (the name kept for TLS), so a DNS answer that changes in between cannot point the
 * connection at an internal service. Every address of the name must be public unless allowed.
 */
export async function resolveImapHost(host: string, policy: HostPolicy = {}): Promise<string> {
  const exempt =
    policy.allowPrivate === true ||
    (policy.allowedHosts ?? []).some((allowed) => allowed.toLowerCase() === host.toLowerCase());
  let addresses: string[];
  if (isIP(host) !== 0) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true })).map((entry) => entry.address);
    } catch (error) {
      throw new MailboxError(
        'MAILBOX_UNREACHABLE',
        `IMAP host ${host} does not resolve: ${(error as Error).message}`,
      );
    }
  }
  if (!exempt && (addresses.length === 0 || !addresses.every(isPublicAddress))) {
    throw new MailboxError('MAILBOX_HOST_NOT_ALLOWED', `IMAP host ${host} is not a public address`);
  }
  return addresses[0] as string;
}
