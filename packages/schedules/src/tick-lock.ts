import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '@foreman/core';

/** Releases the lock only if this holder still has it. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * One tick at a time across every beat: a Redis lock that expires should a beat die holding it,
 * so replicas never fire one occurrence twice and a restarted beat never waits long.
 */
export class TickLock {
  private readonly token = randomUUID();
  private readonly key: string;

  constructor(
    private readonly redis: RedisConnection,
    prefix: string,
    private readonly ttlMs = 30_000,
  ) {
    this.key = `${prefix}:beat:tick-lock`;
  }

  /** Runs `work` only if no other beat is ticking; undefined when another one is. */
  async exclusive<T>(work: () => Promise<T>): Promise<T | undefined> {
    if ((await this.redis.set(this.key, this.token, 'PX', this.ttlMs, 'NX')) !== 'OK') return undefined;
    try {
      return await work();
    } finally {
      await this.redis.eval(RELEASE, 1, this.key, this.token);
    }
  }
}
