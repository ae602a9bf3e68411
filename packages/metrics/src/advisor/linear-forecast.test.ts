import { linearForecast } from './linear-forecast.js';

describe('linearForecast', () => {
  it('extrapolates an exact line with a zero-width interval', () => {
    const samples = [0, 1, 2, 3, 4].map((i) => ({ t: i * 60_000, y: 10 + 5 * i }));
    const forecast = linearForecast(samples, 9 * 60_000);
    expect(forecast.value).toBeCloseTo(55);
    expect(forecast.lower).toBeCloseTo(55);
    expect(forecast.upper).toBeCloseTo(55);
    expect(forecast.slopePerSecond * 60).toBeCloseTo(5);
  });

  it('widens the interval with noise and with distance, and never goes below the floor', () => {
    const noisy = [0, 1, 2, 3, 4, 5].map((i) => ({ t: i * 1_000, y: 20 + 3 * i + (i % 2 === 0 ? 2 : -2) }));
    const near = linearForecast(noisy, 6_000);
    const far = linearForecast(noisy, 20_000);
    expect(near.upper - near.lower).toBeGreaterThan(0);
    expect(far.upper - far.lower).toBeGreaterThan(near.upper - near.lower);
    expect(far.value).toBeGreaterThan(near.value);
    const falling = noisy.map(({ t, y }) => ({ t, y: 40 - y }));
    expect(linearForecast(falling, 60_000)).toMatchObject({ value: 0, lower: 0 });
  });

  it('falls back to the last value with too few points', () => {
    expect(linearForecast([{ t: 0, y: 4 }], 10_000)).toMatchObject({
      points: 1,
      value: 4,
      lower: 0,
      upper: 8,
    });
  });
});
