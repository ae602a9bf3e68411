import { randomUUID } from 'node:crypto';
import {
  and,
  asc,
  type Db,
  eq,
  inboundEmails,
  type MailboxRow,
  mailboxes,
  mailboxFolders,
  ne,
} from '@foreman/db';
import { type MailboxCredentials, mailboxCredentialsSchema } from './credentials.js';
import { MailboxError } from './mailbox-error.js';
import type { SecretBox } from './secret-box.js';

export interface NewMailbox {
  userId: string;
  host: string;
  port: number;
  tls: boolean;
  username: string;
  credentials: MailboxCredentials;
  tokenEndpoint?: string | undefined;
  tokenExpiresAt?: Date | undefined;
  /** @defaultValue ['INBOX'] */
  folders?: readonly string[] | undefined;
  retentionDays?: number | undefined;
}

/** A mailbox as anyone may see it: everything but its credentials. */
export interface MailboxView {
  id: string;
  userId: string;
  host: string;
  port: number;
  tls: boolean;
  username: string;
  authKind: MailboxRow['authKind'];
  tokenEndpoint: string | null;
  tokenExpiresAt: Date | null;
  needsReconsent: boolean;
  folders: string[];
  retentionDays: number | null;
  lastError: string | null;
  createdAt: Date;
}

export function mailboxView(row: MailboxRow): MailboxView {
  return {
    id: row.id,
    userId: row.userId,
    host: row.host,
    port: row.port,
    tls: row.tls,
    username: row.username,
    authKind: row.authKind,
    tokenEndpoint: row.tokenEndpoint,
    tokenExpiresAt: row.tokenExpiresAt,
    needsReconsent: row.needsReconsent,
    folders: row.folders,
    retentionDays: row.retentionDays,
    lastError: row.lastError,
    createdAt: row.createdAt,
  };
}

const UNIQUE_VIOLATION = '23505';

/**
 * The `mailboxes` table with its credentials sealed (`SecretBox`): rows go in sealed and come
 * out as views without them; only `credentials(row)` opens them, for a worker about to log in.
 */
export class MailboxStore {
  constructor(
    private readonly db: Db,
    /** Without one, mailboxes can be listed and removed but not connected or logged in to. */
    private readonly secrets: SecretBox | undefined,
  ) {}

  private box(): SecretBox {
    if (!this.secrets) {
      throw new MailboxError(
        'MAILBOX_KEY_MISSING',
        'MAILBOX_SECRET_KEY is not set: mailbox credentials cannot be used',
      );
    }
    return this.secrets;
  }

  async create(input: NewMailbox): Promise<MailboxView> {
    const credentials = mailboxCredentialsSchema.parse(input.credentials);
    const box = this.box();
    const id = randomUUID();
    try {
      const [row] = await this.db
        .insert(mailboxes)
        .values({
          id,
          userId: input.userId,
          host: input.host,
          port: input.port,
          tls: input.tls,
          username: input.username,
          authKind: credentials.kind,
          secret: box.seal(JSON.stringify(credentials), id),
          secretKeyId: box.current.id,
          tokenEndpoint: input.tokenEndpoint ?? null,
          tokenExpiresAt: input.tokenExpiresAt ?? null,
          folders: [...(input.folders ?? ['INBOX'])],
          retentionDays: input.retentionDays ?? null,
        })
        .returning();
      return mailboxView(row as MailboxRow);
    } catch (error) {
      if (causeCode(error) === UNIQUE_VIOLATION) {
        throw new MailboxError('MAILBOX_EXISTS', `${input.username}@${input.host} is already connected`);
      }
      throw error;
    }
  }

  /** A user's mailboxes (or everyone's when `userId` is undefined), oldest first. */
  async list(userId?: string): Promise<MailboxView[]> {
    const rows = await this.db
      .select()
      .from(mailboxes)
      .where(userId === undefined ? undefined : eq(mailboxes.userId, userId))
      .orderBy(asc(mailboxes.createdAt), asc(mailboxes.id));
    return rows.map(mailboxView);
  }

  /** A user's rows, sealed secrets included, oldest first: what a worker syncs. */
  async rowsOf(userId: string): Promise<MailboxRow[]> {
    return this.db
      .select()
      .from(mailboxes)
      .where(eq(mailboxes.userId, userId))
      .orderBy(asc(mailboxes.createdAt), asc(mailboxes.id));
  }

  /** The row, sealed secret included; MAILBOX_NOT_FOUND for a missing one or another user's. */
  async get(id: string, userId?: string): Promise<MailboxRow> {
    const [row] = await this.db
      .select()
      .from(mailboxes)
      .where(and(eq(mailboxes.id, id), userId === undefined ? undefined : eq(mailboxes.userId, userId)))
      .limit(1);
    if (!row) throw new MailboxError('MAILBOX_NOT_FOUND', `No mailbox ${id}`, id);
    return row;
  }

  /**
   * Removes a mailbox with its folder state and the messages synced from it, in one transaction;
   * nothing changes on the server.
   */
  async remove(id: string, userId?: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const removed = await tx
        .delete(mailboxes)
        .where(and(eq(mailboxes.id, id), userId === undefined ? undefined : eq(mailboxes.userId, userId)))
        .returning({ id: mailboxes.id });
      if (removed.length === 0) throw new MailboxError('MAILBOX_NOT_FOUND', `No mailbox ${id}`, id);
      await tx.delete(mailboxFolders).where(eq(mailboxFolders.mailboxId, id));
      await tx.delete(inboundEmails).where(eq(inboundEmails.mailboxId, id));
    });
  }

  credentials(row: MailboxRow): MailboxCredentials {
    const opened = this.box().open(row.secret, row.id);
    return mailboxCredentialsSchema.parse(JSON.parse(opened));
  }

  /** Stores refreshed OAuth credentials (sealed under the current key) and their expiry. */
  async saveCredentials(
    row: MailboxRow,
    credentials: MailboxCredentials,
    tokenExpiresAt?: Date,
  ): Promise<void> {
    const box = this.box();
    await this.db
      .update(mailboxes)
      .set({
        secret: box.seal(JSON.stringify(mailboxCredentialsSchema.parse(credentials)), row.id),
        secretKeyId: box.current.id,
        tokenExpiresAt: tokenExpiresAt ?? null,
        needsReconsent: false,
        lastError: null,
        updatedAt: new Date(),
      })
      .where(eq(mailboxes.id, row.id));
  }

  /**
   * The grant is gone: drops the tokens (they are useless and still secrets) and flags the mailbox
   * until its user connects it again.
   */
  async markNeedsReconsent(row: MailboxRow, reason: string): Promise<void> {
    const box = this.box();
    await this.db
      .update(mailboxes)
      .set({
        secret: box.seal(JSON.stringify({ kind: 'oauth', accessToken: 'revoked' }), row.id),
        secretKeyId: box.current.id,
        tokenExpiresAt: null,
        needsReconsent: true,
        lastError: reason,
        updatedAt: new Date(),
      })
      .where(eq(mailboxes.id, row.id));
  }

  async setLastError(id: string, message: string | null): Promise<void> {
    await this.db
      .update(mailboxes)
      .set({ lastError: message, updatedAt: new Date() })
      .where(eq(mailboxes.id, id));
  }

  /**
   * Re-seals, under the current key, every secret sealed under another one, `batchSize` rows per
   * transaction; once it reports none remaining, previous keys may be dropped from the settings.
   * Each row is updated only if its secret is still the one read, so a concurrent token refresh
   * is never overwritten.
   */
  async rotateSecrets(batchSize = 500): Promise<{ rotated: number; keyId: string }> {
    const box = this.box();
    let rotated = 0;
    for (;;) {
      const rows = await this.db
        .select({ id: mailboxes.id, secret: mailboxes.secret })
        .from(mailboxes)
        .where(ne(mailboxes.secretKeyId, box.current.id))
        .orderBy(asc(mailboxes.id))
        .limit(batchSize);
      if (rows.length === 0) return { rotated, keyId: box.current.id };
      await this.db.transaction(async (tx) => {
        for (const row of rows) {
          const resealed = box.seal(box.open(row.secret, row.id), row.id);
          const updated = await tx
            .update(mailboxes)
            .set({ secret: resealed, secretKeyId: box.current.id })
            .where(and(eq(mailboxes.id, row.id), eq(mailboxes.secret, row.secret)))
            .returning({ id: mailboxes.id });
          rotated += updated.length;
        }
      });
    }
  }
}

function causeCode(error: unknown): string | undefined {
  for (let current = error as { code?: unknown; cause?: unknown } | undefined; current; ) {
    if (typeof current.code === 'string') return current.code;
    current = current.cause as typeof current;
  }
  return undefined;
}
