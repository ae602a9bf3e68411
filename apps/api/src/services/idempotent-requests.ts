import { createHash, randomUUID } from 'node:crypto';
import { IdempotencyKeys, type RedisConnection } from '@foreman/core';
import { ApiError } from '../http/api-error.js';

export interface IdempotentRequestsOptions {
  redis: RedisConnection;
  /** Redis key prefix of the deployment. */
  prefix: string;
  /**
   * How long a key and its first answer are kept.
   * @defaultValue 86400000 (24 hours)
   */
  windowMs?: number;
}

/** What a caller may send as `Idempotency-Key`: the client's own rule for idempotency keys. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface StoredAnswer<T> {
  /** Hash of the first request, so the key cannot be reused for a different one. */
  fingerprint: string;
  answer: T;
}

/**
 * `Idempotency-Key` for submit routes: the first request with a key (per user and route) runs and
 * its answer is kept for the window; every later request with the key, even while the first is
 * still running, gets that answer and changes nothing. Built on the client's two-step keys
 * (claimed pending, confirmed once the answer is stored), so a request that fails frees its key.
 */
export class IdempotentRequests {
  private readonly keys: IdempotencyKeys;
  private readonly windowMs: number;

  constructor(private readonly options: IdempotentRequestsOptions) {
    this.windowMs = options.windowMs ?? 24 * 3_600_000;
    if (!Number.isInteger(this.windowMs) || this.windowMs <= 0) {
      throw new RangeError('windowMs must be a positive whole number');
    }
    this.keys = new IdempotencyKeys({ connection: options.redis });
  }

  /**
   * Runs `handle` unless `key` was used by `userId` on `route` within the window; answers the
   * first request's result either way (`replayed` says which). Without a key it simply runs.
   * 400 for a malformed key, 422 when the key comes back with a different request.
   */
  async run<T>(
    scope: { userId: string; route: string; key: string | undefined; request: unknown },
    handle: () => Promise<T>,
  ): Promise<{ answer: T; replayed: boolean }> {
    if (scope.key === undefined) return { answer: await handle(), replayed: false };
    if (!IDEMPOTENCY_KEY.test(scope.key)) {
      throw new ApiError(
        'IDEMPOTENCY_KEY_INVALID',
        'Idempotency-Key must be 1 to 200 printable ASCII characters without spaces',
      );
    }
    const fingerprint = sha256(JSON.stringify(scope.request) ?? '');
    const claim = {
      key: `${this.options.prefix}:api-idempotency:${sha256(`${scope.userId}\n${scope.route}\n${scope.key}`)}`,
      windowMs: this.windowMs,
      taskId: randomUUID(),
    };
    const [holder] = await this.keys.claim([claim]);
    if (holder !== undefined)
      return { answer: await this.firstAnswer<T>(holder, fingerprint), replayed: true };
    let answer: T;
    try {
      answer = await handle();
      const stored: StoredAnswer<T> = { fingerprint, answer };
      await this.options.redis.set(this.answerKey(claim.taskId), JSON.stringify(stored), 'PX', this.windowMs);
    } catch (error) {
      await this.keys.release([claim]);
      throw error;
    }
    await this.keys.confirm([claim]);
    return { answer, replayed: false };
  }

  private async firstAnswer<T>(holder: string, fingerprint: string): Promise<T> {
    const text = await this.options.redis.get(this.answerKey(holder));
    if (text === null) {
      throw new ApiError(
        'IDEMPOTENCY_KEY_CONFLICT',
        'The first request with this key left no answer; use a new key',
      );
    }
    const stored = JSON.parse(text) as StoredAnswer<T>;
    if (stored.fingerprint !== fingerprint) {
      throw new ApiError(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was used for a different request; use a new key',
      );
    }
    return stored.answer;
  }

  private answerKey(requestId: string): string {
    return `${this.options.prefix}:api-idempotency-answer:${requestId}`;
  }
}
