export type MailboxErrorCode =
  /** MAILBOX_SECRET_KEY (or a previous key) is not `<id>:<32 bytes, base64>`. */
  | 'MAILBOX_KEY_INVALID'
  /** A secret was sealed under a key id the keyring does not hold (rotated away too early). */
  | 'MAILBOX_KEY_UNKNOWN'
  /** A sealed secret failed authentication: altered, truncated, or moved to another mailbox. */
  | 'MAILBOX_SECRET_CORRUPT'
  /** No key configured: credentials cannot be stored or read. */
  | 'MAILBOX_KEY_MISSING'
  /** The IMAP host is not a public address and is not allowed (MAILBOX_ALLOWED_HOSTS). */
  | 'MAILBOX_HOST_NOT_ALLOWED'
  /** The server refused the login (wrong password, revoked token). */
  | 'MAILBOX_AUTH_FAILED'
  /** The server could not be reached or broke off. */
  | 'MAILBOX_UNREACHABLE'
  /** The token endpoint refused the refresh token: the user must consent again. */
  | 'OAUTH_GRANT_REVOKED'
  /** The token endpoint could not be reached or answered with something other than a token. */
  | 'OAUTH_REFRESH_FAILED'
  /** An OAuth mailbox has no refresh token or no token endpoint to refresh with. */
  | 'OAUTH_NOT_REFRESHABLE'
  /** A folder the mailbox names (or a bulk operation targets) does not exist on the server. */
  | 'MAILBOX_FOLDER_MISSING'
  /** No such mailbox (or another user's). */
  | 'MAILBOX_NOT_FOUND'
  /** The user already connected this account. */
  | 'MAILBOX_EXISTS'
  /** The mailbox waits for the user to connect it again. */
  | 'MAILBOX_NEEDS_RECONSENT';

/** What went wrong with a mailbox, its credentials or its server; never carries a secret. */
export class MailboxError extends Error {
  constructor(
    readonly code: MailboxErrorCode,
    message: string,
    readonly mailboxId?: string,
  ) {
    super(message);
    this.name = 'MailboxError';
  }

  /** Failures no retry can cure: the task fails at once (wrapped in NonRetryableError by callers). */
  get permanent(): boolean {
    return this.code !== 'MAILBOX_UNREACHABLE' && this.code !== 'OAUTH_REFRESH_FAILED';
  }
}
