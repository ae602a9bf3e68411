import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeOldFiles } from '../src/remove-old-files.js';
import { resolveInsideRoots } from '../src/resolve-inside-roots.js';

const DAY = 24 * 3_600_000;

describe('removeOldFiles on a real directory tree', () => {
  let base: string;
  let root: string;
  let outside: string;
  const age = async (path: string, days: number) => {
    const when = new Date(Date.now() - days * DAY);
    await utimes(path, when, when);
  };
  const file = async (path: string, days: number, content = 'x') => {
    await writeFile(path, content);
    await age(path, days);
  };

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'foreman-files-'));
    root = join(base, 'root');
    outside = join(base, 'outside');
    await mkdir(join(root, 'sub', 'deeper'), { recursive: true });
    await mkdir(outside);
    await file(join(root, 'old.tmp'), 3, 'abcd');
    await file(join(root, 'fresh.tmp'), 0);
    await file(join(root, 'old.txt'), 3);
    await file(join(root, '.hidden.tmp'), 3);
    await file(join(root, 'sub', 'deeper', 'old.tmp'), 5, 'ab');
    await file(join(outside, 'victim.tmp'), 30);
    await symlink(outside, join(root, 'sub', 'escape'));
    await symlink(join(outside, 'victim.tmp'), join(root, 'linked.tmp'));
  });
  afterEach(() => rm(base, { recursive: true, force: true }));

  const options = { olderThanMs: DAY, patterns: ['*.tmp'] };

  it('lists in a dry run and removes nothing', async () => {
    const report = await removeOldFiles({ root, ...options, dryRun: true });
    expect(report.removed.sort()).toEqual(['.hidden.tmp', 'old.tmp', 'sub/deeper/old.tmp']);
    expect(report).toMatchObject({ count: 3, bytes: 7, symlinksSkipped: 2 });
    expect(existsSync(join(root, 'old.tmp'))).toBe(true);
  });

  it('removes old matching files only, never following a link out of the root or removing the root', async () => {
    const report = await removeOldFiles({ root, ...options });
    expect(report.count).toBe(3);
    expect(existsSync(join(root, 'old.tmp'))).toBe(false);
    expect(existsSync(join(root, 'sub', 'deeper', 'old.tmp'))).toBe(false);
    expect(existsSync(join(root, 'fresh.tmp'))).toBe(true);
    expect(existsSync(join(root, 'old.txt'))).toBe(true);
    expect(existsSync(join(outside, 'victim.tmp'))).toBe(true);
    expect(existsSync(join(root, 'linked.tmp'))).toBe(true);
    expect(existsSync(join(root, 'sub', 'deeper'))).toBe(true);

    // Even a pattern matching everything leaves directories, links and the root in place.
    await removeOldFiles({ root, olderThanMs: 0, patterns: ['*'] });
    expect(existsSync(root)).toBe(true);
    expect(existsSync(join(root, 'sub', 'deeper'))).toBe(true);
    expect(existsSync(join(outside, 'victim.tmp'))).toBe(true);
  });

  it('confines a root written with .. to its real location', async () => {
    const report = await removeOldFiles({ root: join(base, 'outside', '..', 'root', 'sub'), ...options });
    expect(report.root).toBe(join(base, 'root', 'sub'));
    expect(report.removed).toEqual(['deeper/old.tmp']);
    expect(existsSync(join(root, 'old.tmp'))).toBe(true);
  });

  it('stops when its signal aborts', async () => {
    await expect(removeOldFiles({ root, ...options, signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
    expect(existsSync(join(root, 'old.tmp'))).toBe(true);
  });

  it('resolves paths inside roots and refuses .. and links out of them', async () => {
    await expect(resolveInsideRoots('sub/deeper', [root])).resolves.toBe(join(root, 'sub', 'deeper'));
    await expect(resolveInsideRoots('../outside', [root])).rejects.toMatchObject({
      code: 'PATH_OUTSIDE_ROOTS',
    });
    await expect(resolveInsideRoots('sub/escape', [root])).rejects.toMatchObject({
      code: 'PATH_OUTSIDE_ROOTS',
    });
    await expect(resolveInsideRoots(root, [root])).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOTS' });
    await expect(resolveInsideRoots(root, [root], { allowRoot: true })).resolves.toBe(root);
  });
});
