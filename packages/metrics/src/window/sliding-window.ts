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

  record(value: number, at = this.now()): void {
    this.times[this.next] = at;
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.times.length;
    this.size = Math.min(this.size + 1, this.times.length);
  }

  /** Samples inside the window, oldest first. */
  samples(): number[] {
    const since = this.now() - this.windowMs;
    const out: number[] = [];
    const start = (this.next - this.size + this.times.length) % this.times.length;
    for (let i = 0; i < this.size; i++) {
      const index = (start + i) % this.times.length;
      if ((this.times[index] as number) >= since) out.push(this.values[index] as number);
    }
    return out;
  }

  summary(): PercentileSummary {
    const sorted = this.samples().sort((a, b) => a - b);
    const count = sorted.length;
    if (count === 0) return { count: 0, mean: 0, min: 0, max: 0, p50: 0, p90: 0, p95: 0, p99: 0 };
    const rank = (q: number) => sorted[Math.min(count - 1, Math.ceil(q * count) - 1)] as number;
    return {
      count,
      mean: sorted.reduce((sum, value) => sum + value, 0) / count,
      min: sorted[0] as number,
      max: sorted[count - 1] as number,
      p50: rank(0.5),
      p90: rank(0.9),
      p95: rank(0.95),
      p99: rank(0.99),
    };
  }
}
