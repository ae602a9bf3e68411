import type { RedisConnection } from '@foreman/core';
import { ApiError } from '../http/api-error.js';

export interface SubmitQuotaOptions {
  redis: RedisConnection;
  /** Redis key prefix of the deployment. */
  prefix: string;
  /** Tasks one user may submit per window. */
  limit: number;
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

/** Submits within `quota` when one is set (see SubmitQuota.around), else just submits. */
export function withinQuota<T>(
  quota: SubmitQuota | undefined,
  userId: string,
  tasks: number,
  submit: () => Promise<T>,
): Promise<T> {
  return quota ? quota.around(userId, tasks, submit) : submit();
}

/**
 * The per-user submit quota of the api: how many tasks a user may submit per window, counted in
 * Redis across every api replica. Distinct from the per-key request limit (a bulk request is one
 * request but as many tasks as it holds) and from the workers' execution limits (`FAIRNESS`).
 */
export class SubmitQuota {
  constructor(private readonly options: SubmitQuotaOptions) {}

  /**
   * Counts `tasks` submits of `userId`, all or none: past the quota, a 429 `QUOTA_EXCEEDED` with
   * Retry-After (seconds to the window's end) and nothing counted.
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
    const error = new ApiError(
      429,
      'QUOTA_EXCEEDED',
      tasks > limit
        ? `${tasks} tasks in one request exceed the submit quota of ${limit} per ${windowMs / 1000} s`
        : `Submitting ${tasks} more would exceed the submit quota of ${limit} tasks per ${windowMs / 1000} s (${used} used)`,
      { userId, limit, windowMs, used, requested: tasks },
    );
    error.retryAfterSeconds = Math.max(1, Math.ceil(endsInMs / 1000));
    throw error;
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
