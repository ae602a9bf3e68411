#!/usr/bin/env node
// Runs the shell commands the docs mark for checking, as written, in a fresh copy of the repo, so
// a command that drifted (a renamed script, `pnpm: not found`) fails the test run.
//
// The marker: a fenced block whose info string is `sh check` (GitHub still highlights it as sh).
// Each such block runs as one `bash -euo pipefail` script from the copy's root, in document order.
// The copy holds the working tree's files (tracked and untracked, not ignored) and shares turbo's
// cache, so `corepack pnpm build` answers from what the test run built; nothing of the checkout is
// touched. PATH keeps no `pnpm` shim of scripts/lib.sh: commands find pnpm as a fresh machine does.
//
//   node scripts/check-docs-commands.mjs            run every checked block
//   node scripts/check-docs-commands.mjs --list     print them only
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const BLOCK_TIMEOUT_S = 300;

const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
const docs = git('ls-files', '--cached', '--others', '--exclude-standard', 'README.md', 'docs/*.md')
  .split('\n')
  .filter((file) => file && existsSync(join(root, file)))
  // The development page installs and builds: its blocks go first.
  .sort((a, b) => Number(b === 'docs/development.md') - Number(a === 'docs/development.md'));

/** Every `sh check` block of the docs, with where it is. */
function checkedBlocks() {
  const blocks = [];
  for (const file of docs) {
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    for (let index = 0; index < lines.length; index++) {
      if (!/^```sh\s+check\s*$/.test(lines[index])) continue;
      const start = index + 1;
      const end = lines.indexOf('```', start);
      if (end < 0) throw new Error(`${file}:${index + 1}: a checked block is never closed`);
      blocks.push({ where: `${file}:${index + 1}`, script: lines.slice(start, end).join('\n') });
      index = end;
    }
  }
  return blocks;
}

const blocks = checkedBlocks();
if (blocks.length === 0) throw new Error('No `sh check` block in the docs: the marker changed?');
if (process.argv.includes('--list')) {
  for (const block of blocks) console.log(`# ${block.where}\n${block.script}\n`);
  process.exit(0);
}

const copy = mkdtempSync(join(tmpdir(), 'foreman-docs-'));
const failures = [];
try {
  const files = git('ls-files', '--cached', '--others', '--exclude-standard', '-z').split('\0');
  for (const file of files) {
    if (!file || !existsSync(join(root, file))) continue;
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(root, file), join(copy, file), { verbatimSymlinks: true });
  }
  const env = {
    ...process.env,
    PATH: (process.env.PATH ?? '')
      .split(delimiter)
      .filter((dir) => !dir.endsWith(join('.tools', 'bin')))
      .join(delimiter),
    COREPACK_INTEGRITY_KEYS: '0',
    COREPACK_ENABLE_DOWNLOAD_PROMPT: '0',
    TURBO_TELEMETRY_DISABLED: '1',
    TURBO_CACHE_DIR: join(root, '.turbo', 'cache'),
  };
  for (const block of blocks) {
    const started = Date.now();
    // timeout(1) ends the whole process group (turbo, pnpm, tsc), not just bash.
    const run = spawnSync(
      'timeout',
      ['--kill-after=10s', `${BLOCK_TIMEOUT_S}s`, 'bash', '-euo', 'pipefail', '-c', block.script],
      { cwd: copy, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (run.status === 0) {
      console.log(`ok    ${block.where} (${seconds} s)`);
      continue;
    }
    const why = run.error
      ? run.error.message
      : run.status === 124
        ? `still running after ${BLOCK_TIMEOUT_S} s`
        : `exit ${run.status ?? run.signal}`;
    console.log(`FAIL  ${block.where} (${seconds} s): ${why}`);
    failures.push(`${block.where}: ${why}\n${block.script}\n--- output ---\n${run.stdout}${run.stderr}`);
  }
} finally {
  rmSync(copy, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`\nDocs commands that fail as written (${failures.length}):\n\n${failures.join('\n\n')}`);
  process.exit(1);
}
