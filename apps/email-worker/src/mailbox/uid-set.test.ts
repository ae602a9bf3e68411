import { chunks, uidSet } from './uid-set.js';

describe('uidSet', () => {
  it('collapses runs of sorted UIDs', () => {
    expect(uidSet([1, 2, 3, 7, 9, 10])).toBe('1:3,7,9:10');
    expect(uidSet([5])).toBe('5');
    expect(uidSet([])).toBe('');
  });

  it('splits into batches', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
});
