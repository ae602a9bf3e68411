import { createHash, randomBytes } from 'node:crypto';
import type { RedisConnection } from '@foreman/core/producer';

export interface SessionStoreOptions {
  redis: RedisConnection;
  /** Redis key prefix of the deployment. */
  prefix: string;
  /** Lifetime of a session from sign-in. */
  maxAgeSeconds: number;
}

/** Session ids are 256 random bits, so a plain SHA-256 names them in Redis. */
const digest = (value: string) => createHash('sha256').update(value).digest('hex');
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * Dashboard sessions, server-side in Redis so every api replica shares them: a random id (the only
 * thing the cookie holds) stands for the hash of the api key that signed in, until it expires or is
 * revoked at sign-out. Redis keeps the id's hash, so its contents cannot be replayed as cookies.
 */
export class SessionStore {
  constructor(private readonly options: SessionStoreOptions) {}

  /** A new session for a verified key; returns its id. */
  async create(keyHash: string): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    await this.options.redis.set(this.keyOf(id), keyHash, 'EX', this.options.maxAgeSeconds);
    return id;
  }

  /** The hash of the key behind a live session; undefined once expired, revoked or never issued. */
  async keyHashOf(id: string): Promise<string | undefined> {
    if (!SESSION_ID.test(id)) return undefined;
    return (await this.options.redis.get(this.keyOf(id))) ?? undefined;
  }

  /** Ends a session at once: its cookie stops working even where a browser kept it. */
  async revoke(id: string): Promise<void> {
    if (SESSION_ID.test(id)) await this.options.redis.del(this.keyOf(id));
  }

  private keyOf(id: string): string {
    return `${this.options.prefix}:session:${digest(id)}`;
  }
}
