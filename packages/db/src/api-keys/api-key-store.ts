import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../database.js';
import { type ApiKeyRow, apiKeys } from '../schema/api-keys.js';

/** What the api knows about the caller of a request: never the key itself. */
export interface ApiKeyIdentity {
  id: string;
  userId: string;
  admin: boolean;
}

export interface CreatedApiKey extends ApiKeyIdentity {
  /** The secret; returned once, never stored. */
  key: string;
}

export interface NewApiKey {
  userId: string;
  admin?: boolean | undefined;
  label?: string | undefined;
  /** Use this key instead of a fresh random one. */
  key?: string | undefined;
}

export type ApiKeyListing = Omit<ApiKeyRow, 'keyHash'>;

const KEY_PREFIX = 'fm_';

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/** Creates, verifies and revokes api keys. Keys are 256 random bits, so a plain SHA-256 suffices. */
export class ApiKeyStore {
  constructor(private readonly db: Db) {}

  async create(input: NewApiKey): Promise<CreatedApiKey> {
    const key = input.key ?? `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row = this.row(input, key);
    await this.db.insert(apiKeys).values(row);
    return { id: row.id, userId: row.userId, admin: row.admin, key };
  }

  /** Stores a key chosen by the operator (a bootstrap admin key) unless it is already there. */
  async ensure(input: NewApiKey & { key: string }): Promise<void> {
    await this.db
      .insert(apiKeys)
      .values(this.row(input, input.key))
      .onConflictDoNothing({ target: apiKeys.keyHash });
  }

  /** The identity behind a presented key, or undefined for unknown and revoked keys. */
  async verify(key: string): Promise<ApiKeyIdentity | undefined> {
    return this.verifyHash(hashApiKey(key));
  }

  /** Like `verify`, by the key's hash: for a session that keeps the hash, never the key. */
  async verifyHash(keyHash: string): Promise<ApiKeyIdentity | undefined> {
    const [row] = await this.db
      .select({ id: apiKeys.id, userId: apiKeys.userId, admin: apiKeys.admin })
      .from(apiKeys)
      .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
      .limit(1);
    return row;
  }

  /** True when a live key was revoked by this call. */
  async revoke(id: string): Promise<boolean> {
    const revoked = await this.db
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    return revoked.length > 0;
  }

  async list(): Promise<ApiKeyListing[]> {
    return this.db
      .select({
        id: apiKeys.id,
        prefix: apiKeys.prefix,
        userId: apiKeys.userId,
        admin: apiKeys.admin,
        label: apiKeys.label,
        createdAt: apiKeys.createdAt,
        revokedAt: apiKeys.revokedAt,
      })
      .from(apiKeys)
      .orderBy(desc(apiKeys.createdAt));
  }

  private row(input: NewApiKey, key: string) {
    return {
      id: randomUUID(),
      keyHash: hashApiKey(key),
      prefix: key.slice(0, KEY_PREFIX.length + 6),
      userId: input.userId,
      admin: input.admin ?? false,
      label: input.label ?? null,
    };
  }
}
