export interface RetryPolicy {
  /** Total attempts including the first; 1 means never retry. */
  attempts: number;
  /** First retry delay; each later retry doubles it (exponential) or keeps it (fixed). */
  delayMs: number;
  backoff: 'exponential' | 'fixed';
  /** Upper bound of any single retry delay. */
  maxDelayMs: number;
  /** Fraction (0..1) of the delay that is randomised so retries of a burst spread out. */
  jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 3,
  delayMs: 1_000,
  backoff: 'exponential',
  maxDelayMs: 60_000,
  jitter: 0.2,
};

/** Delay before retry number `retry` (1 for the first retry). */
export function retryDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const base = policy.backoff === 'fixed' ? policy.delayMs : policy.delayMs * 2 ** Math.max(0, retry - 1);
  const capped = Math.min(base, policy.maxDelayMs);
  const spread = capped * policy.jitter;
  return Math.max(0, Math.round(capped - spread + random() * 2 * spread));
}
