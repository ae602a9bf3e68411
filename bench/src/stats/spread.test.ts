import { spread } from './spread.js';

describe('spread', () => {
  it('takes the middle value, or the mean of the middle two, and the range', () => {
    expect(spread([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5 });
    expect(spread([4, 1, 3, 10])).toEqual({ median: 3.5, min: 1, max: 10 });
    expect(spread([-2])).toEqual({ median: -2, min: -2, max: -2 });
  });

  it('is NaN for no values', () => {
    expect(spread([])).toEqual({ median: Number.NaN, min: Number.NaN, max: Number.NaN });
  });
});
