import { toError, toJsonValue } from './to-error.js';

describe('toError', () => {
  it('keeps Errors and describes anything else', () => {
    const error = new Error('x');
    expect(toError(error)).toBe(error);
    expect(toError('boom').message).toBe('Handler threw a non-Error value: boom');
    expect(toError({ code: 7 }).message).toContain('{"code":7}');
    expect(toError(undefined).message).toContain('non-Error');
  });
});

describe('toJsonValue', () => {
  it('accepts JSON and maps undefined to null', () => {
    expect(toJsonValue({ a: [1] })).toEqual({ ok: true, value: { a: [1] } });
    expect(toJsonValue(undefined)).toEqual({ ok: true, value: null });
  });

  it('gives scalars back as JSON would, without a round trip', () => {
    for (const value of [null, 'text', '', 'lone \ud800 surrogate', true, false, 0, 1.5, -7, 1e300]) {
      expect(toJsonValue(value)).toEqual({ ok: true, value: JSON.parse(JSON.stringify(value)) });
    }
    expect(toJsonValue(-0)).toEqual({ ok: true, value: 0 });
    expect(Object.is((toJsonValue(-0) as { value: unknown }).value, 0)).toBe(true);
    expect(toJsonValue(Number.NaN)).toEqual({ ok: true, value: null });
    expect(toJsonValue(Number.POSITIVE_INFINITY)).toEqual({ ok: true, value: null });
  });

  it('refuses what JSON cannot hold', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(toJsonValue(cyclic).ok).toBe(false);
    expect(toJsonValue(10n).ok).toBe(false);
    expect(toJsonValue(() => 1)).toEqual({ ok: false, reason: 'a function is not JSON' });
  });
});
