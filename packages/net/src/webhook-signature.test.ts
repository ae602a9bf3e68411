import { signWebhook, verifyWebhook } from './webhook-signature.js';

describe('webhook signatures', () => {
  const secret = 'a-secret-of-enough-length';
  const body = '{"ruleId":"r"}';
  const timestamp = '1700000000000';
  const signature = signWebhook(secret, timestamp, body);

  it('verifies a signature made with the same secret, body and timestamp', () => {
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhook({ secret, body, timestamp, signature, now: 1700000001000 })).toBe(true);
  });

  it('rejects a changed body, another secret, a stale timestamp or missing headers', () => {
    const now = 1700000001000;
    expect(verifyWebhook({ secret, body: '{"ruleId":"x"}', timestamp, signature, now })).toBe(false);
    expect(verifyWebhook({ secret: 'another-secret-entirely', body, timestamp, signature, now })).toBe(false);
    expect(verifyWebhook({ secret, body, timestamp, signature, now: now + 10 * 60_000 })).toBe(false);
    expect(verifyWebhook({ secret, body, timestamp: undefined, signature, now })).toBe(false);
    expect(verifyWebhook({ secret, body, timestamp, signature: 'sha256=00', now })).toBe(false);
  });
});
