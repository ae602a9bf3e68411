import { randomBytes } from 'node:crypto';
import { MailboxError, parseMailboxKey, SecretBox } from '../src/index.js';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('SecretBox', () => {
  const mailboxId = '0b6d3c1e-4f5a-4d2b-9c8e-7a1f2e3d4c5b';

  it('seals with a fresh IV each time and opens only for the mailbox it was sealed for', () => {
    const box = new SecretBox(key('k1'));
    const one = box.seal('{"kind":"password","password":"hunter2"}', mailboxId);
    const two = box.seal('{"kind":"password","password":"hunter2"}', mailboxId);
    expect(one).not.toBe(two);
    expect(one).toMatch(/^v1:k1:/);
    expect(one).not.toContain('hunter2');
    expect(box.open(one, mailboxId)).toContain('hunter2');
    expect(() => box.open(one, '11111111-2222-4333-8444-555555555555')).toThrow(
      expect.objectContaining({ code: 'MAILBOX_SECRET_CORRUPT' }),
    );
  });

  it('refuses an altered secret, an unknown key and a malformed one with typed errors', () => {
    const box = new SecretBox(key('k1'));
    const sealed = box.seal('secret', mailboxId);
    const parts = sealed.split(':');
    const data = Buffer.from(parts[4] as string, 'base64url');
    data[0] = (data[0] as number) ^ 1;
    parts[4] = data.toString('base64url');
    expect(() => box.open(parts.join(':'), mailboxId)).toThrow(
      expect.objectContaining({ code: 'MAILBOX_SECRET_CORRUPT' }),
    );
    expect(() => new SecretBox(key('k2')).open(sealed, mailboxId)).toThrow(
      expect.objectContaining({ code: 'MAILBOX_KEY_UNKNOWN' }),
    );
    expect(() => box.open('v1:k1:only', mailboxId)).toThrow(MailboxError);
  });

  it('opens what a previous key sealed while sealing with the current one', () => {
    const old = key('old');
    const sealed = new SecretBox(old).seal('token', mailboxId);
    const rotated = new SecretBox(key('new'), [old]);
    expect(rotated.open(sealed, mailboxId)).toBe('token');
    expect(SecretBox.keyIdOf(rotated.seal('token', mailboxId))).toBe('new');
  });

  it('reads keys from the settings and refuses a bad one', () => {
    const value = `k1:${randomBytes(32).toString('base64')}`;
    const box = SecretBox.fromSettings(value, `k0:${randomBytes(32).toString('base64')}`);
    expect(box.current.id).toBe('k1');
    expect(() => parseMailboxKey(`k1:${randomBytes(16).toString('base64')}`)).toThrow(
      expect.objectContaining({ code: 'MAILBOX_KEY_INVALID' }),
    );
    expect(() => parseMailboxKey(randomBytes(32).toString('base64'))).toThrow(
      expect.objectContaining({ code: 'MAILBOX_KEY_INVALID' }),
    );
    expect(() => SecretBox.fromSettings('k1:short')).toThrow(/^MAILBOX_SECRET_KEY: /);
    expect(() => SecretBox.fromSettings(value, 'old:short')).toThrow(/^MAILBOX_PREVIOUS_SECRET_KEYS: /);
    expect(() => SecretBox.fromSettings(value, value)).toThrow(
      expect.objectContaining({ code: 'MAILBOX_KEY_INVALID' }),
    );
  });
});
