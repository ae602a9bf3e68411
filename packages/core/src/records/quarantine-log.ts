import type { RedisConnection } from '../redis/create-redis.js';
import type { QuarantinedRow } from './task-record-writer.js';

export interface QuarantineLogOptions {
  connection: RedisConnection;
  /** Redis key prefix of the deployment (the queue prefix). */
  prefix: string;
  /**
   * Entries kept, newest first; older ones are trimmed on each add.
   * @defaultValue 1000
   */
  kept?: number;
}

/**
 * The deployment's record of quarantined rows, in Redis (the database is what refused them): every
 * api and worker adds to one sorted set by time, so alert rules count them across processes and
 * an operator reads them with `ZRANGE <prefix>:records:quarantined 0 -1`.
 */
export class QuarantineLog {
  private readonly key: string;
  private readonly kept: number;

  constructor(private readonly options: QuarantineLogOptions) {
    this.kept = options.kept ?? 1_000;
    if (!Number.isInteger(this.kept) || this.kept < 1)
      throw new RangeError('kept must be a whole number, 1 or more');
    this.key = `${options.prefix}:records:quarantined`;
  }

  async add(row: QuarantinedRow): Promise<void> {
    await this.options.connection
      .multi()
      .zadd(this.key, row.at.getTime(), JSON.stringify(row))
      .zremrangebyrank(this.key, 0, -(this.kept + 1))
      .exec();
  }

  /** Rows quarantined within the last `windowMs`. */
  count(windowMs: number): Promise<number> {
    return this.options.connection.zcount(this.key, Date.now() - windowMs, '+inf');
  }

  /** The newest `limit` entries, newest first. */
  async recent(limit = 20): Promise<QuarantinedRow[]> {
    const entries = await this.options.connection.zrevrange(this.key, 0, limit - 1);
    return entries.map((entry) => {
      const row = JSON.parse(entry) as QuarantinedRow & { at: string };
      return { ...row, at: new Date(row.at) };
    });
  }
}
