import { Writable } from 'node:stream';
import { createLogger } from './create-logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('writes JSON lines with the service name and a mixin', () => {
    const { lines, destination } = capture();
    const logger = createLogger('api', { destination, mixin: () => ({ traceId: 'abc' }) });
    logger.info({ taskId: 't1' }, 'submitted');
    expect(lines[0]).toMatchObject({ service: 'api', taskId: 't1', traceId: 'abc', msg: 'submitted' });
  });

  it('redacts secrets', () => {
    const { lines, destination } = capture();
    createLogger('api', { destination }).info({ smtp: { password: 'hunter2' }, apiKey: 'k' }, 'cfg');
    expect(JSON.stringify(lines[0])).not.toContain('hunter2');
    expect(lines[0]?.apiKey).toBe('[redacted]');
  });

  it('redacts mailbox credentials', () => {
    const { lines, destination } = capture();
    createLogger('email-worker', { destination }).info(
      {
        credentials: { kind: 'password', password: 'pw-1' },
        mailbox: { accessToken: 'at-2', refreshToken: 'rt-3', clientSecret: 'cs-4', secret: 'v1:k:s' },
      },
      'mailbox',
    );
    for (const secret of ['pw-1', 'at-2', 'rt-3', 'cs-4', 'v1:k:s']) {
      expect(JSON.stringify(lines[0])).not.toContain(secret);
    }
  });
});
