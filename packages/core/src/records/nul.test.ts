import { findNul, stripNul } from './nul.js';

describe('findNul', () => {
  it('names the first string or key holding U+0000, however deep', () => {
    expect(findNul({ a: [1, { b: 'x\0' }] })).toBe('a.1.b');
    expect(findNul({ ok: 'yes', nested: { 'k\0': 1 } })).toBe('nested.k\\u0000');
    expect(findNul('\0')).toBe('');
    expect(findNul({ a: 'fine', b: [null, 2, true], c: new Date(0) })).toBeUndefined();
    expect(findNul([['ok', 'x\0']])).toBe('0.1');
  });

  it('looks at own keys only, as JSON would', () => {
    expect(findNul(Object.create({ inherited: '\0' }))).toBeUndefined();
  });
});

describe('stripNul', () => {
  it('removes U+0000 from strings and keys, and returns clean values unchanged', () => {
    expect(stripNul({ 'a\0': ['b\0c', 1], d: null })).toEqual({ a: ['bc', 1], d: null });
    const clean = { a: ['b'] };
    expect(stripNul(clean)).toBe(clean);
  });
});
