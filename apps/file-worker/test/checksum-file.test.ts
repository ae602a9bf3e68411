import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checksumFileTask } from '../src/tasks/checksum-file.js';

describe('file.checksum_file on a real directory', () => {
  let base: string;
  let root: string;
  let outside: string;
  const progress: number[] = [];
  const context = {
    signal: new AbortController().signal,
    progress: async (p: number) => progress.push(p),
  } as never;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'foreman-file-'));
    root = join(base, 'root');
    outside = join(base, 'outside');
    await mkdir(root);
    await mkdir(outside);
    await writeFile(join(root, 'report.txt'), 'quarterly numbers');
    await writeFile(join(outside, 'secret.txt'), 'do not read');
    await symlink(join(outside, 'secret.txt'), join(root, 'escape.txt'));
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  const run = (path: string) =>
    Promise.resolve(checksumFileTask({ roots: [root] }).handler({ path }, context));

  it('hashes a file inside a root and reports progress', async () => {
    const result = await run('report.txt');
    expect(result.sha256).toBe(createHash('sha256').update('quarterly numbers').digest('hex'));
    expect(result.bytes).toBe(17);
    expect(progress.at(-1)).toBe(100);
  });

  it('refuses a symlink that leads out of the root', async () => {
    await expect(run('escape.txt')).rejects.toThrow(/not inside any configured file root/);
  });

  it('refuses .. out of the root', async () => {
    await expect(run('../outside/secret.txt')).rejects.toThrow(/not inside any configured file root/);
  });

  it('refuses the root itself and a missing file', async () => {
    await expect(run(root)).rejects.toThrow(/not inside/);
    await expect(run('missing.txt')).rejects.toThrow(/ENOENT/);
  });
});
