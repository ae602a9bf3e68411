/** A forecast of one value with its 95% prediction interval. */
export interface Forecast {
  /** Points the fit used. */
  points: number;
  /** Change per second of the fitted line. */
  slopePerSecond: number;
  value: number;
  lower: number;
  upper: number;
  confidence: 0.95;
}

// Two-sided 97.5% quantiles of Student's t by degrees of freedom (1..30); 1.96 beyond.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/**
 * Least-squares line through (t, y) samples, extrapolated to `at`, with the classic prediction
 * interval ŷ ± t·s·√(1 + 1/n + (x − x̄)²/Sxx). Fewer than 3 points: the last value, no spread
 * known (an interval as wide as the value itself on each side). Never below `floor`.
 */
export function linearForecast(samples: Array<{ t: number; y: number }>, at: number, floor = 0): Forecast {
  const n = samples.length;
  if (n < 3) {
    const last = samples.at(-1)?.y ?? 0;
    return {
      points: n,
      slopePerSecond: 0,
      value: last,
      lower: Math.max(floor, 0),
      upper: last * 2,
      confidence: 0.95,
    };
  }
  const meanT = samples.reduce((sum, s) => sum + s.t, 0) / n;
  const meanY = samples.reduce((sum, s) => sum + s.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const { t, y } of samples) {
    sxx += (t - meanT) ** 2;
    sxy += (t - meanT) * (y - meanY);
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = meanY - slope * meanT;
  const residual = samples.reduce((sum, { t, y }) => sum + (y - (intercept + slope * t)) ** 2, 0);
  const s = Math.sqrt(residual / (n - 2));
  const tq = T975[n - 3] ?? 1.96;
  const half = tq * s * Math.sqrt(1 + 1 / n + (sxx === 0 ? 0 : (at - meanT) ** 2 / sxx));
  const value = intercept + slope * at;
  return {
    points: n,
    slopePerSecond: slope * 1_000,
    value: Math.max(floor, value),
    lower: Math.max(floor, value - half),
    upper: Math.max(floor, value + half),
    confidence: 0.95,
  };
}
