import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-foreman-signature';
export const TIMESTAMP_HEADER = 'x-foreman-timestamp';

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`: the timestamp is signed so a replay is visible. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver runs: true when the signature matches the body and timestamp, and the timestamp
 * is within `toleranceMs` of now.
 */
export function verifyWebhook(options: {
  secret: string;
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
  toleranceMs?: number;
  now?: number;
}): boolean {
  const { timestamp, signature } = options;
  if (!timestamp || !signature) return false;
  const age = Math.abs((options.now ?? Date.now()) - Number(timestamp));
  if (!Number.isFinite(age) || age > (options.toleranceMs ?? 5 * 60_000)) return false;
  const expected = Buffer.from(signWebhook(options.secret, timestamp, options.body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
