import { spawn } from 'node:child_process';
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

  it('redacts in a copy, leaving the logged object unchanged', () => {
    const { lines, destination } = capture();
    const config = { smtp: { host: 'mx', password: 'hunter2' }, apiKey: 'k' };
    createLogger('api', { destination }).child({ component: 'mail' }).info(config, 'cfg');
    expect(JSON.stringify(lines[0])).not.toMatch(/hunter2|"k"/);
    expect(lines[0]).toMatchObject({ component: 'mail', smtp: { host: 'mx', password: '[redacted]' } });
    expect(config).toEqual({ smtp: { host: 'mx', password: 'hunter2' }, apiKey: 'k' });
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

/** A process that runs `lines` (after importing createLogger) and logs to its real stdout. */
function loggingProcess(lines: string[]) {
  const script = ["const { createLogger } = await import('./src/create-logger.ts');", ...lines].join('\n');
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: new URL('..', import.meta.url).pathname,
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

describe('createLogger to stdout', () => {
  it('writes every line before the process exits, even lines logged in a burst', async () => {
    const child = loggingProcess([
      "const logger = createLogger('burst');",
      "for (let i = 0; i < 5000; i += 1) logger.info({ i }, 'line');",
      'process.exit(0);',
    ]);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    const lines = output.split('\n').filter(Boolean);
    expect(lines).toHaveLength(5000);
    expect(JSON.parse(lines[4999] as string)).toMatchObject({ i: 4999, msg: 'line' });
  }, 30_000);

  it('writes a lone line within the flush interval, without waiting for the buffer to fill', async () => {
    // Stays alive: only the flush interval can bring the line out.
    const child = loggingProcess(["createLogger('quiet').info('ready');", 'setTimeout(() => {}, 60_000);']);
    try {
      const line = await new Promise<string>((resolve) =>
        child.stdout.once('data', (chunk) => resolve(String(chunk))),
      );
      expect(JSON.parse(line)).toMatchObject({ service: 'quiet', msg: 'ready' });
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);
});
