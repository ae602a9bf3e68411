import type { MailboxRow } from '@foreman/db';
import type { GuardedFetch } from '@foreman/net';
import type { ImapFlow } from 'imapflow';
import type { MailboxCredentials } from './credentials.js';
import type { HostPolicy } from './host-guard.js';
import { openImapSession } from './imap-session.js';
import { MailboxError } from './mailbox-error.js';
import type { MailboxStore } from './mailbox-store.js';
import { refreshAccessToken } from './oauth-refresh.js';

export interface MailboxConnectorOptions {
  store: MailboxStore;
  /** Which IMAP hosts may be connected to (user-given: public addresses only by default). */
  hosts?: HostPolicy;
  /** Token endpoint and client of mailboxes that name none of their own (OAUTH_TOKEN_URL, …). */
  oauth?: {
    tokenEndpoint?: string | undefined;
    clientId?: string | undefined;
    clientSecret?: string | undefined;
  };
  /** Fetch for token endpoints (user-given too: a GuardedFetch). */
  fetch?: GuardedFetch;
  /**
   * An access token expiring within this is refreshed before logging in.
   * @defaultValue 120_000
   */
  refreshWithinMs?: number;
}

export type RefreshOutcome =
  | { kind: 'refreshed'; expiresAt: Date | undefined }
  /** It cannot be refreshed, but its token is still valid: kept until it expires. */
  | { kind: 'kept'; reason: string }
  | { kind: 'needs-reconsent'; reason: string };

/**
 * Logs in to stored mailboxes: opens their credentials, refreshes an OAuth token that is about to
 * expire (or that the server refused) through the token endpoint, and marks a mailbox whose grant
 * is gone as needing re-consent.
 */
export class MailboxConnector {
  private readonly refreshWithinMs: number;

  constructor(private readonly options: MailboxConnectorOptions) {
    this.refreshWithinMs = options.refreshWithinMs ?? 120_000;
    if (!(this.refreshWithinMs >= 0)) throw new RangeError('refreshWithinMs must be zero or more');
  }

  get store(): MailboxStore {
    return this.options.store;
  }

  async open(row: MailboxRow): Promise<ImapFlow> {
    if (row.needsReconsent) {
      throw new MailboxError('MAILBOX_NEEDS_RECONSENT', `Mailbox ${row.id} must be connected again`, row.id);
    }
    let credentials = this.store.credentials(row);
    const expiring =
      row.tokenExpiresAt !== null && row.tokenExpiresAt.getTime() - Date.now() <= this.refreshWithinMs;
    if (credentials.kind === 'oauth' && expiring) credentials = await this.refreshOrGiveUp(row);
    try {
      return await openImapSession(row, credentials, this.options.hosts);
    } catch (error) {
      // A token revoked or expired early: one refresh, one more try.
      if (
        !(error instanceof MailboxError) ||
        error.code !== 'MAILBOX_AUTH_FAILED' ||
        credentials.kind !== 'oauth'
      ) {
        throw error;
      }
      return openImapSession(row, await this.refreshOrGiveUp(row), this.options.hosts);
    }
  }

  /**
   * Refreshes an OAuth mailbox's access token and stores it. A refused refresh, or none possible
   * (no refresh token, no endpoint) once the token has expired, drops the tokens and marks the
   * mailbox for re-consent; an endpoint that cannot be reached leaves everything as it was
   * (OAUTH_REFRESH_FAILED).
   */
  async refresh(row: MailboxRow, signal?: AbortSignal): Promise<RefreshOutcome> {
    const credentials = this.store.credentials(row);
    if (credentials.kind !== 'oauth') throw new TypeError(`Mailbox ${row.id} logs in with a password`);
    try {
      const expiresAt = await this.refreshWith(row, credentials, signal);
      return { kind: 'refreshed', expiresAt };
    } catch (error) {
      if (!(error instanceof MailboxError) || error.code === 'OAUTH_REFRESH_FAILED') throw error;
      const stillValid = row.tokenExpiresAt !== null && row.tokenExpiresAt.getTime() > Date.now();
      if (error.code === 'OAUTH_NOT_REFRESHABLE' && stillValid)
        return { kind: 'kept', reason: error.message };
      await this.store.markNeedsReconsent(row, error.message);
      return { kind: 'needs-reconsent', reason: error.message };
    }
  }

  /** The credentials after a refresh, read back as stored. */
  private async refreshOrGiveUp(row: MailboxRow): Promise<MailboxCredentials> {
    const outcome = await this.refresh(row);
    if (outcome.kind === 'kept') return this.store.credentials(row);
    if (outcome.kind === 'needs-reconsent') {
      throw new MailboxError('MAILBOX_NEEDS_RECONSENT', `Mailbox ${row.id}: ${outcome.reason}`, row.id);
    }
    return this.store.credentials(await this.store.get(row.id));
  }

  private async refreshWith(
    row: MailboxRow,
    credentials: Extract<MailboxCredentials, { kind: 'oauth' }>,
    signal?: AbortSignal,
  ): Promise<Date | undefined> {
    const tokenEndpoint = row.tokenEndpoint ?? this.options.oauth?.tokenEndpoint;
    const clientId = credentials.clientId ?? this.options.oauth?.clientId;
    if (!credentials.refreshToken || !tokenEndpoint || !clientId) {
      throw new MailboxError(
        'OAUTH_NOT_REFRESHABLE',
        `Mailbox ${row.id} has no ${credentials.refreshToken ? (tokenEndpoint ? 'OAuth client id' : 'token endpoint') : 'refresh token'}`,
        row.id,
      );
    }
    const token = await refreshAccessToken(
      { tokenEndpoint, clientId, clientSecret: credentials.clientSecret ?? this.options.oauth?.clientSecret },
      credentials.refreshToken,
      { fetch: this.options.fetch, signal },
    );
    await this.store.saveCredentials(
      row,
      {
        ...credentials,
        accessToken: token.accessToken,
        refreshToken: token.refreshToken ?? credentials.refreshToken,
      },
      token.expiresAt,
    );
    return token.expiresAt;
  }
}
