import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NonRetryableError } from '@foreman/core';
import { cleanupTempFilesTask } from '../src/tasks/cleanup-temp-files.js';

const context = { signal: new AbortController().signal, progress: async () => {} } as never;

describe('file.cleanup_temp_files on real temporary directories', () => {
  let base: string;
  const old = async (path: string) => {
    await writeFile(path, 'stale');
    const when = new Date(Date.now() - 48 * 3_600_000);
    await utimes(path, when, when);
  };

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'foreman-cleanup-'));
    for (const dir of ['uploads', 'scratch', 'private']) await mkdir(join(base, dir));
    await old(join(base, 'uploads', 'a.tmp'));
    await old(join(base, 'scratch', 'b.part'));
    await old(join(base, 'scratch', 'keep.txt'));
    await old(join(base, 'private', 'secret.tmp'));
    await symlink(join(base, 'private'), join(base, 'scratch', 'escape'));
  });
  afterEach(() => rm(base, { recursive: true, force: true }));

  const task = (roots: string[]) =>
    cleanupTempFilesTask({ roots, patterns: ['*.tmp', '*.part'], maxAgeHours: 24 });

  it('cleans every configured root, a ".." in a root included, reporting what went; a missing root is an error of its own', async () => {
    const roots = [join(base, 'uploads'), join(base, 'uploads', '..', 'scratch'), join(base, 'gone')];
    const dry = await task(roots).handler({ dryRun: true }, context);
    expect(dry).toMatchObject({ dryRun: true, removed: 2 });
    expect(existsSync(join(base, 'uploads', 'a.tmp'))).toBe(true);

    const result = await task(roots).handler({ dryRun: false }, context);
    expect(result).toMatchObject({ dryRun: false, removed: 2, bytes: 10, symlinksSkipped: 1 });
    expect(result.roots.map((root) => [root.root, root.removed])).toEqual([
      [join(base, 'uploads'), ['a.tmp']],
      [join(base, 'scratch'), ['b.part']],
    ]);
    expect(result.errors).toEqual([{ id: join(base, 'gone'), error: expect.stringMatching(/ENOENT/) }]);
    expect(existsSync(join(base, 'scratch', 'keep.txt'))).toBe(true);
    expect(existsSync(join(base, 'private', 'secret.tmp'))).toBe(true);
    expect(existsSync(join(base, 'scratch'))).toBe(true);
  });

  it('cleans one directory inside the roots on request, and refuses one outside them', async () => {
    const roots = [join(base, 'scratch')];
    await expect(task(roots).handler({ dryRun: false, path: 'escape' }, context)).rejects.toThrow(
      NonRetryableError,
    );
    await expect(task(roots).handler({ dryRun: false, path: '../private' }, context)).rejects.toThrow(
      /not inside any configured file root/,
    );
    expect(existsSync(join(base, 'private', 'secret.tmp'))).toBe(true);
    const result = await task(roots).handler(
      { dryRun: false, path: join(base, 'scratch'), patterns: ['*.txt'] },
      context,
    );
    expect(result.roots[0]?.removed).toEqual(['keep.txt']);
    expect(existsSync(join(base, 'scratch', 'b.part'))).toBe(true);
  });
});
