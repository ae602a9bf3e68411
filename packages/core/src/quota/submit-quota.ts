import type { SubmitQuotaEnv } from '@foreman/config';
import { QuotaExceededError } from '../errors/quota-exceeded-error.js';
import type { RedisConnection } from '../redis/create-redis.js';

export interface SubmitQuotaOptions {
  redis: RedisConnection;
  /** Redis key prefix of the deployment. */
  prefix: string;
  /** Tasks one user may submit per window: a whole number of at least 1. */
  limit: number;
  /** Length of the window in milliseconds. */
  windowMs: number;
}

/**
 * KEYS[1] the user's counter prefix. ARGV: tasks, limit, windowMs. The window comes from Redis's
 * clock, so every api replica counts into the same one. Takes all the tasks or none:
 * returns { 1, used } or { 0, used, ms until the window ends }.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[3])
local index = math.floor(now / window)
local key = KEYS[1] .. ':' .. index
local used = tonumber(redis.call('GET', key) or '0')
local n, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
if used + n > limit then return { 0, used, (index + 1) * window - now } end
redis.call('INCRBY', key, n)
redis.call('PEXPIRE', key, window * 2)
return { 1, used + n, (index + 1) * window - now }
`;

/**
 * The per-user submit quota: how many tasks a user may submit per window, counted in Redis across
 * every api replica and beat (a user's scheduled runs count too). Distinct from the api's per-key
 * request limit (a bulk request is one request but as many tasks as it holds) and from the
 * workers' execution limits (`FAIRNESS`).
 */
export class SubmitQuota {
  constructor(private readonly options: SubmitQuotaOptions) {
    if (!Number.isInteger(options.limit) || options.limit < 1) {
      throw new TypeError('SubmitQuota: limit must be a whole number of at least 1');
    }
    if (!Number.isInteger(options.windowMs) || options.windowMs < 1) {
      throw new TypeError('SubmitQuota: windowMs must be a positive whole number');
    }
  }

  /** The quota SUBMIT_QUOTA and SUBMIT_QUOTA_WINDOW_MS describe; none when SUBMIT_QUOTA is 0. */
  static fromEnv(redis: RedisConnection, prefix: string, env: SubmitQuotaEnv): SubmitQuota | undefined {
    if (env.SUBMIT_QUOTA === 0) return undefined;
    return new SubmitQuota({ redis, prefix, limit: env.SUBMIT_QUOTA, windowMs: env.SUBMIT_QUOTA_WINDOW_MS });
  }

  /**
   * Counts `tasks` submits of `userId`, all or none: past the quota, QuotaExceededError (with the
   * seconds to the window's end) and nothing counted.
   */
  async take(userId: string, tasks: number): Promise<void> {
    const { limit, windowMs } = this.options;
    const [taken, used, endsInMs] = (await this.options.redis.eval(
      TAKE,
      1,
      this.key(userId),
      tasks,
      limit,
      windowMs,
    )) as [number, number, number];
    if (taken === 1) return;
    throw new QuotaExceededError(
      { userId, limit, windowMs, used, requested: tasks },
      Math.max(1, Math.ceil(endsInMs / 1000)),
    );
  }

  /**
   * Counts `tasks` submits of `userId`, then submits; when the submit is refused after all (bad
   * payload, unknown task), what was counted is given back.
   */
  async around<T>(userId: string, tasks: number, submit: () => Promise<T>): Promise<T> {
    await this.take(userId, tasks);
    try {
      return await submit();
    } catch (error) {
      await this.refund(userId, tasks);
      throw error;
    }
  }

  /** Gives back what `take` counted for submits that were then refused (bad payload, unknown task). */
  async refund(userId: string, tasks: number): Promise<void> {
    const [seconds, micros] = await this.options.redis.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const key = `${this.key(userId)}:${Math.floor(now / this.options.windowMs)}`;
    // Floors at zero: a window that turned over meanwhile has nothing of these to give back.
    await this.options.redis.eval(
      `local v = tonumber(redis.call('GET', KEYS[1]) or '0') if v > 0 then redis.call('DECRBY', KEYS[1], math.min(v, tonumber(ARGV[1]))) end return 0`,
      1,
      key,
      tasks,
    );
  }

  private key(userId: string): string {
    return `${this.options.prefix}:submit-quota:${userId}`;
  }
}
