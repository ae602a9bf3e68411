import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { MailboxError } from './mailbox-error.js';

const VERSION = 'v1';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export interface MailboxKey {
  readonly id: string;
  readonly key: Buffer;
}

/** `<id>:<32 bytes as base64>`, the form of MAILBOX_SECRET_KEY and each previous key. */
export function parseMailboxKey(value: string): MailboxKey {
  const separator = value.indexOf(':');
  const id = value.slice(0, separator);
  const key = Buffer.from(value.slice(separator + 1).trim(), 'base64');
  if (separator < 1 || !KEY_ID.test(id) || key.length !== 32) {
    throw new MailboxError(
      'MAILBOX_KEY_INVALID',
      'A mailbox key is "<id>:<32 random bytes as base64>" (id: letters, digits, "_" and "-", at most 32)',
    );
  }
  return { id, key };
}

/**
 * Seals mailbox credentials with AES-256-GCM: a fresh 12-byte IV per seal, the mailbox id as
 * additional data (a secret copied onto another mailbox's row does not open), and the key id in
 * the sealed text, so a rotation can open what older keys sealed while sealing with the new one.
 */
export class SecretBox {
  private readonly keys: ReadonlyMap<string, Buffer>;

  /**
   * @param current seals every new secret.
   * @param previous open secrets sealed before a rotation, until `rotate` re-sealed them all.
   */
  constructor(
    readonly current: MailboxKey,
    previous: readonly MailboxKey[] = [],
  ) {
    const keys = new Map<string, Buffer>();
    for (const key of [current, ...previous]) {
      if (key.key.length !== 32 || !KEY_ID.test(key.id))
        throw new MailboxError('MAILBOX_KEY_INVALID', `Mailbox key "${key.id}" is not a 32-byte key`);
      if (keys.has(key.id)) throw new MailboxError('MAILBOX_KEY_INVALID', `Mailbox key id "${key.id}" twice`);
      keys.set(key.id, key.key);
    }
    this.keys = keys;
  }

  /** From MAILBOX_SECRET_KEY and MAILBOX_PREVIOUS_SECRET_KEYS (comma-separated). */
  static fromSettings(current: string, previous = ''): SecretBox {
    const named = (variable: string, parse: () => MailboxKey) => {
      try {
        return parse();
      } catch (error) {
        throw new MailboxError('MAILBOX_KEY_INVALID', `${variable}: ${(error as Error).message}`);
      }
    };
    const older = previous
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean)
      .map((item) => named('MAILBOX_PREVIOUS_SECRET_KEYS', () => parseMailboxKey(item)));
    return new SecretBox(
      named('MAILBOX_SECRET_KEY', () => parseMailboxKey(current)),
      older,
    );
  }

  seal(plaintext: string, mailboxId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(mailboxId));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.current.id, iv, cipher.getAuthTag(), sealed]
      .map((part) => (Buffer.isBuffer(part) ? part.toString('base64url') : part))
      .join(':');
  }

  /** The key id a sealed secret names. */
  static keyIdOf(sealed: string): string {
    return sealed.split(':')[1] ?? '';
  }

  open(sealed: string, mailboxId: string): string {
    const [version, keyId, iv, tag, data, ...rest] = sealed.split(':');
    if (version !== VERSION || !keyId || !iv || !tag || data === undefined || rest.length > 0) {
      throw new MailboxError('MAILBOX_SECRET_CORRUPT', 'Sealed mailbox secret is malformed', mailboxId);
    }
    const key = this.keys.get(keyId);
    if (!key) {
      throw new MailboxError(
        'MAILBOX_KEY_UNKNOWN',
        `Mailbox secret sealed under key "${keyId}", which is not configured`,
        mailboxId,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(mailboxId));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new MailboxError(
        'MAILBOX_SECRET_CORRUPT',
        'Sealed mailbox secret failed authentication',
        mailboxId,
      );
    }
  }
}
