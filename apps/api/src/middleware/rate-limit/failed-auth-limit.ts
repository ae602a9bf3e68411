import type { RedisConnection } from '@foreman/core/producer';
import { ApiError } from '../../http/api-error.js';

export interface FailedAuthLimitOptions {
  redis: RedisConnection;
  /** Redis key prefix of the deployment. */
  prefix: string;
  /** Failed key checks one client address may cause per window before it gets 429. */
  limit: number;
  /** @defaultValue 60000 */
  windowMs?: number;
}

/**
 * Limits failed authentication per client address, across replicas (counted in Redis): an unknown
 * key is a database lookup, so past the limit an address gets 429 before any lookup. Keys already
 * verified (cached) still pass; only new checks from that address wait for the window's end.
 */
export class FailedAuthLimit {
  private readonly windowMs: number;

  constructor(private readonly options: FailedAuthLimitOptions) {
    if (!Number.isInteger(options.limit) || options.limit <= 0) {
      throw new RangeError('limit must be a positive whole number');
    }
    this.windowMs = options.windowMs ?? 60_000;
  }

  /** Throws 429 (with Retry-After) when `address` has used up its failures in this window. */
  async check(address: string): Promise<void> {
    const counter = this.counter(address);
    const [[, count] = [], [, ttl] = []] = (await this.options.redis
      .multi()
      .get(counter)
      .pttl(counter)
      .exec()) as Array<[Error | null, string | number | null]>;
    if (Number(count ?? 0) < this.options.limit) return;
    const error = new ApiError(
      'RATE_LIMITED',
      `More than ${this.options.limit} failed sign-ins from this address in ${this.windowMs / 1000} s`,
    );
    error.retryAfterSeconds = Math.max(1, Math.ceil(Number(ttl) / 1000));
    throw error;
  }

  /** Counts one failed check of `address`. */
  async record(address: string): Promise<void> {
    const counter = this.counter(address);
    await this.options.redis.multi().incr(counter).pexpire(counter, this.windowMs, 'NX').exec();
  }

  private counter(address: string): string {
    return `${this.options.prefix}:auth-failures:${address}:${Math.floor(Date.now() / this.windowMs)}`;
  }
}
