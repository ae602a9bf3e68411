import { TaskError } from '../errors/task-error.js';
import type { RedisConnection } from '../redis/create-redis.js';

/** One submit's hold on an idempotency key. */
export interface IdempotencyClaim {
  /** The Redis key: prefix, task name and the caller's key. */
  key: string;
  /** How long the key holds once its task is queued. */
  windowMs: number;
  /** The task this submit would create. */
  taskId: string;
}

export interface IdempotencyKeysOptions {
  connection: RedisConnection;
  /**
   * How long a claim holds before its task is queued. A submitter that dies between claiming and
   * queuing frees the key after this long, instead of leaving it on a task that never existed.
   */
  pendingMs?: number;
  /** How often a submit that finds a key pending looks again. */
  pollMs?: number;
}

const PENDING = 'pending:';

// KEYS[1] key. ARGV: pending value, task id, window ms. Confirms only this submit's own claim.
const CONFIRM = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`;

// KEYS[1] key. ARGV: pending value. Frees the key only while it is still this submit's claim.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Idempotency keys in two steps: a submit claims a key as pending (short-lived), queues its task,
 * then confirms the key for the whole window. A second submit with the key gets the first task's
 * id only once that task is queued; while the claim is pending it waits, and a claim whose
 * submitter died expires, so the key is never left pointing at a task that was never queued.
 */
export class IdempotencyKeys {
  private readonly pendingMs: number;
  private readonly pollMs: number;

  constructor(private readonly options: IdempotencyKeysOptions) {
    this.pendingMs = options.pendingMs ?? 10_000;
    this.pollMs = options.pollMs ?? 25;
  }

  /**
   * Claims each key for its task, in order; returns, for each, the id of the task that already
   * holds the key (undefined: this submit holds it now). A key repeated within `claims` goes to
   * its first occurrence.
   */
  async claim(claims: Array<IdempotencyClaim | undefined>): Promise<Array<string | undefined>> {
    const claimedHere = new Map<string, string>();
    const holders: Array<string | undefined> = [];
    for (const claim of claims) {
      if (!claim) {
        holders.push(undefined);
        continue;
      }
      const earlier = claimedHere.get(claim.key);
      if (earlier !== undefined) {
        holders.push(earlier);
        continue;
      }
      const holder = await this.claimOne(claim);
      if (holder === undefined) claimedHere.set(claim.key, claim.taskId);
      holders.push(holder);
    }
    return holders;
  }

  /** The tasks of these claims are queued: their keys now hold for the full window. */
  async confirm(claims: IdempotencyClaim[]): Promise<void> {
    for (const claim of claims) {
      await this.options.connection.eval(
        CONFIRM,
        1,
        claim.key,
        PENDING + claim.taskId,
        claim.taskId,
        claim.windowMs,
      );
    }
  }

  /** Queuing these claims' tasks failed: free their keys for the next submit. */
  async release(claims: IdempotencyClaim[]): Promise<void> {
    for (const claim of claims) {
      await this.options.connection.eval(RELEASE, 1, claim.key, PENDING + claim.taskId);
    }
  }

  private async claimOne(claim: IdempotencyClaim): Promise<string | undefined> {
    const redis = this.options.connection;
    // Bounded: a pending claim is confirmed, released or expired within pendingMs.
    const deadline = Date.now() + this.pendingMs * 2;
    for (;;) {
      const claimed = await redis.set(claim.key, PENDING + claim.taskId, 'PX', this.pendingMs, 'NX');
      if (claimed === 'OK') return undefined;
      const holder = await redis.get(claim.key);
      // Expired between SET and GET: try to claim again.
      if (holder === null) continue;
      if (!holder.startsWith(PENDING)) return holder;
      if (Date.now() > deadline) {
        throw new TaskError(
          'IDEMPOTENCY_KEY_CONFLICT',
          'Another submit with this idempotency key has not finished queuing its task; try again',
          { taskId: holder.slice(PENDING.length) },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }
}
