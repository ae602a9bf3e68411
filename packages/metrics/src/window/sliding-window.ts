import { checkWholeNumbers } from '@foreman/core';

export interface SlidingWindowOptions {
  /**
   * Samples older than this are forgotten.
   * @defaultValue {@link SLIDING_WINDOW_DEFAULTS}.windowMs
   */
  windowMs?: number;
  /**
   * Upper bound on samples kept; the oldest go first, so memory stays flat under any load.
   * @defaultValue {@link SLIDING_WINDOW_DEFAULTS}.maxSamples
   */
  maxSamples?: number;
  now?: () => number;
}

export interface PercentileSummary {
  count: number;
  mean: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

/** The defaults of `SlidingWindowOptions` (and so of the task metrics' window), in one place. */
export const SLIDING_WINDOW_DEFAULTS = { windowMs: 5 * 60_000, maxSamples: 10_000 } as const;
const DEFAULTS = SLIDING_WINDOW_DEFAULTS;

/**
 * Recent samples of one measurement in a ring buffer, with percentiles over the last `windowMs`.
 * Exact (nearest-rank) percentiles over a bounded buffer are cheap at these sizes and need no
 * bucket layout chosen in advance.
 */
export class SlidingWindow {
  private readonly windowMs: number;
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  private readonly now: () => number;
  private next = 0;
  private size = 0;

  constructor(options: SlidingWindowOptions = {}) {
    this.windowMs = options.windowMs ?? DEFAULTS.windowMs;
    const capacity = options.maxSamples ?? DEFAULTS.maxSamples;
    checkWholeNumbers('SlidingWindow', { windowMs: this.windowMs, maxSamples: capacity });
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.now = options.now ?? Date.now;
  }

  /** O(1) and allocation-free: one slot of two preallocated arrays, the oldest overwritten. */
  record(value: number, at = this.now()): void {
    const { next } = this;
    this.times[next] = at;
    this.values[next] = value;
    this.next = next + 1 === this.times.length ? 0 : next + 1;
    if (this.size < this.times.length) this.size += 1;
  }

  /** Samples inside the window, oldest first. */
  samples(): number[] {
    return Array.from(this.inWindow());
  }

  summary(): PercentileSummary {
    const values = this.inWindow();
    const count = values.length;
    if (count === 0) return { count: 0, mean: 0, min: 0, max: 0, p50: 0, p90: 0, p95: 0, p99: 0 };
    let sum = 0;
    for (let index = 0; index < count; index++) sum += values[index] as number;
    // A typed array sorts numerically in native code, without a comparator call per comparison.
    values.sort();
    const rank = (q: number) => values[Math.min(count - 1, Math.ceil(q * count) - 1)] as number;
    return {
      count,
      mean: sum / count,
      min: values[0] as number,
      max: values[count - 1] as number,
      p50: rank(0.5),
      p90: rank(0.9),
      p95: rank(0.95),
      p99: rank(0.99),
    };
  }

  /** A copy of the samples inside the window, oldest first. */
  private inWindow(): Float64Array {
    const since = this.now() - this.windowMs;
    const capacity = this.times.length;
    const out = new Float64Array(this.size);
    let kept = 0;
    let index = (this.next - this.size + capacity) % capacity;
    for (let i = 0; i < this.size; i++) {
      if ((this.times[index] as number) >= since) out[kept++] = this.values[index] as number;
      index = index + 1 === capacity ? 0 : index + 1;
    }
    return out.subarray(0, kept);
  }
}
