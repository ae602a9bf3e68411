import { DEFAULT_RETRY_POLICY, retryDelay } from './retry-policy.js';

describe('retryDelay', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, jitter: 0, delayMs: 100, maxDelayMs: 1_000 };

  it('doubles per retry up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((retry) => retryDelay(policy, retry))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('keeps a fixed delay fixed', () => {
    expect(retryDelay({ ...policy, backoff: 'fixed' }, 5)).toBe(100);
  });

  it('spreads by the jitter fraction', () => {
    const jittered = { ...policy, jitter: 0.5 };
    expect(retryDelay(jittered, 1, () => 0)).toBe(50);
    expect(retryDelay(jittered, 1, () => 1)).toBe(150);
  });
});
