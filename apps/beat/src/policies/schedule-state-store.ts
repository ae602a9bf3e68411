import type { RedisConnection } from '@foreman/core';

/** What beat remembers of one schedule between ticks and across restarts. */
export interface ScheduleState {
  /** The next occurrence not yet handled. */
  nextRunAt: number;
  /** When beat last submitted a run, and the occurrence it was for. */
  lastRunAt?: number | undefined;
  lastOccurrence?: number | undefined;
  lastTaskId?: string | undefined;
  /** Overlap "queue one": an occurrence held until the running one ends. */
  queuedOccurrence?: number | undefined;
  /** Occurrences dropped by the overlap or misfire policy, in total. */
  skipped: number;
}

const NUMBER_FIELDS = ['nextRunAt', 'lastRunAt', 'lastOccurrence', 'queuedOccurrence', 'skipped'] as const;

/** Schedule states in Redis hashes, so a restarted (or another) beat carries on where one stopped. */
export class ScheduleStateStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  async get(id: string): Promise<ScheduleState | undefined> {
    const hash = await this.redis.hgetall(this.key(id));
    if (hash.nextRunAt === undefined) return undefined;
    const state: ScheduleState = { nextRunAt: 0, skipped: 0, lastTaskId: hash.lastTaskId };
    for (const field of NUMBER_FIELDS) if (hash[field] !== undefined) state[field] = Number(hash[field]);
    return state;
  }

  async set(id: string, state: ScheduleState): Promise<void> {
    const fields = Object.entries(state).filter(([, value]) => value !== undefined);
    await this.redis.multi().del(this.key(id)).hset(this.key(id), Object.fromEntries(fields)).exec();
  }

  /** Runs `work` only if no other beat is ticking; the lock expires should a beat die holding it. */
  async exclusive<T>(token: string, ttlMs: number, work: () => Promise<T>): Promise<T | undefined> {
    const lock = `${this.prefix}:beat:tick-lock`;
    if ((await this.redis.set(lock, token, 'PX', ttlMs, 'NX')) !== 'OK') return undefined;
    try {
      return await work();
    } finally {
      if ((await this.redis.get(lock)) === token) await this.redis.del(lock);
    }
  }

  private key(id: string): string {
    return `${this.prefix}:beat:state:${id}`;
  }
}
