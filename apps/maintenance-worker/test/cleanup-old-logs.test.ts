import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupOldLogsTask } from '../src/tasks/cleanup-old-logs.js';

const context = { signal: new AbortController().signal, progress: async () => {} } as never;

describe('maintenance.cleanup_old_logs on a real log directory', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'foreman-logs-'));
    await mkdir(join(base, 'logs', 'api'), { recursive: true });
    await mkdir(join(base, 'elsewhere'));
    const file = async (path: string, days: number) => {
      await writeFile(path, 'log line\n');
      const when = new Date(Date.now() - days * 86_400_000);
      await utimes(path, when, when);
    };
    await file(join(base, 'logs', 'worker.log.3'), 20);
    await file(join(base, 'logs', 'api', 'api.log'), 30);
    await file(join(base, 'logs', 'today.log'), 0);
    await file(join(base, 'logs', 'notes.txt'), 30);
    await file(join(base, 'elsewhere', 'other.log'), 30);
    await symlink(join(base, 'elsewhere'), join(base, 'logs', 'linked'));
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  const task = () =>
    cleanupOldLogsTask({ logDir: join(base, 'logs'), patterns: ['*.log', '*.log.*'], retentionDays: 14 });

  it('reports in a dry run, then removes only old log files inside the directory', async () => {
    const dry = await task().handler({ dryRun: true }, context);
    expect(dry).toMatchObject({ dryRun: true, removed: 2 });
    expect(existsSync(join(base, 'logs', 'worker.log.3'))).toBe(true);

    const done = await task().handler({ dryRun: false }, context);
    expect(done.files.sort()).toEqual(['api/api.log', 'worker.log.3']);
    expect(done.bytes).toBe(18);
    expect(existsSync(join(base, 'logs', 'today.log'))).toBe(true);
    expect(existsSync(join(base, 'logs', 'notes.txt'))).toBe(true);
    expect(existsSync(join(base, 'elsewhere', 'other.log'))).toBe(true);
  });

  it('fails clearly when the log directory does not exist', async () => {
    const missing = cleanupOldLogsTask({ logDir: join(base, 'nope'), patterns: ['*.log'], retentionDays: 1 });
    await expect(missing.handler({ dryRun: false }, context)).rejects.toThrow(/ENOENT/);
  });
});
