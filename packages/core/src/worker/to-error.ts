import { types } from 'node:util';

/** Handlers may throw anything; the runtime always deals in Errors with a useful message. */
export function toError(thrown: unknown): Error {
  // isNativeError: an Error of another realm (a vm context, node's own under some runners) is
  // still one, with its code and stack.
  if (thrown instanceof Error || types.isNativeError(thrown)) return thrown as Error;
  let described: string;
  try {
    described = typeof thrown === 'string' ? thrown : JSON.stringify(thrown);
  } catch {
    described = String(thrown);
  }
  return new Error(`Handler threw a non-Error value: ${described}`);
}

/** Round-trips a value through JSON so what is stored is exactly what readers will get back. */
export function toJsonValue(value: unknown): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (value === undefined || value === null) return { ok: true, value: null };
  // A string, boolean or finite number comes back from JSON as it went in (-0 as 0): no round trip.
  if (typeof value === 'string' || typeof value === 'boolean') return { ok: true, value };
  if (typeof value === 'number' && Number.isFinite(value))
    return { ok: true, value: value === 0 ? 0 : value };
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return { ok: false, reason: `a ${typeof value} is not JSON` };
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, reason: `not JSON-serialisable (${(error as Error).message})` };
  }
}
