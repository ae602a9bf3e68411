#!/usr/bin/env node
// Runs the shell commands the docs mark for checking, as written, in a fresh copy of the repo, so
// a command that drifted (a renamed script, `pnpm: not found`) fails the test run.
//
// The marker: a fenced block whose info string is `sh check` (GitHub still highlights it as sh).
// Each such block runs as one `bash -euo pipefail` script from the copy's root, in document order.
// `sh check background` marks a block that starts the system (`./scripts/start`): it runs in the
// background, in a process group of its own, and the page's next blocks run once the api answers
// GET /ready; at the end of its page the whole group is stopped (SIGTERM, then SIGKILL) and the
// check waits until none of its processes is left. It runs on free ports, given through the
// variables the apps and scripts/start read (PORT, HEALTH_PORT=0, EMBEDDED_DB_PORT, REDIS_URL of a
// redis-server of its own), and the page's blocks find the api through FOREMAN_URL: the commands
// stay exactly as written, and never meet another test's or a developer's running system.
// The copy holds the working tree's files (tracked and untracked, not ignored) and shares turbo's
// cache, so `corepack pnpm build` answers from what the test run built; nothing of the checkout is
// touched. PATH keeps no `pnpm` shim of scripts/lib.sh: commands find pnpm as a fresh machine does.
//
//   node scripts/check-docs-commands.mjs               run every checked block
//   node scripts/check-docs-commands.mjs README.md     only those of these pages
//   node scripts/check-docs-commands.mjs --list        print them only
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const BLOCK_TIMEOUT_S = 300;
/** From the start of a background block until the api is ready: installs, then 8 processes on tsx. */
const READY_TIMEOUT_MS = 180_000;
/** scripts/start gives its apps 35 s after SIGTERM before it kills them. */
const STOP_TIMEOUT_MS = 45_000;

const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
const pages = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const docs = git('ls-files', '--cached', '--others', '--exclude-standard', 'README.md', 'docs/*.md')
  .split('\n')
  .filter((file) => file && existsSync(join(root, file)) && (pages.length === 0 || pages.includes(file)))
  // The development page installs and builds: its blocks go first.
  .sort((a, b) => Number(b === 'docs/development.md') - Number(a === 'docs/development.md'));

/** Every `sh check` block of the docs, with where it is and whether it runs in the background. */
function checkedBlocks() {
  const blocks = [];
  for (const file of docs) {
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    for (let index = 0; index < lines.length; index++) {
      const marker = /^```sh\s+check(\s+background)?\s*$/.exec(lines[index]);
      if (!marker) continue;
      const start = index + 1;
      const end = lines.indexOf('```', start);
      if (end < 0) throw new Error(`${file}:${index + 1}: a checked block is never closed`);
      const script = lines.slice(start, end).join('\n');
      blocks.push({ file, where: `${file}:${index + 1}`, script, background: Boolean(marker[1]) });
      index = end;
    }
  }
  return blocks;
}

const blocks = checkedBlocks();
if (blocks.length === 0) throw new Error('No `sh check` block in the docs: the marker changed?');
if (process.argv.includes('--list')) {
  for (const block of blocks)
    console.log(`# ${block.where}${block.background ? ' (background)' : ''}\n${block.script}\n`);
  process.exit(0);
}

/** A loopback port nothing listens on now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether any process of the group `pgid` is still alive. */
function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Process groups of the blocks and of redis-server, each its own; ended at the latest on exit. */
const groups = new Set();
function spawnGroup(command, args, options) {
  const child = spawn(command, args, { ...options, detached: true });
  // A command that cannot start (no redis-server) shows as what depends on it failing.
  child.once('error', (error) => console.error(`${command}: ${error.message}`));
  if (child.pid !== undefined) groups.add(child.pid);
  return child;
}

/** SIGTERM to the whole group, SIGKILL after STOP_TIMEOUT_MS; resolves once none of it is left. */
async function stopGroup(pgid) {
  if (pgid === undefined) return false;
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {}
  const until = Date.now() + STOP_TIMEOUT_MS;
  while (groupAlive(pgid) && Date.now() < until) await sleep(100);
  const killed = groupAlive(pgid);
  if (killed) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {}
    while (groupAlive(pgid)) await sleep(100);
  }
  groups.delete(pgid);
  return killed;
}

/**
 * Starts a background block on free ports with a redis-server of its own, and waits until the api
 * answers GET /ready. Returns what its page's blocks run with and what stops it.
 */
async function startBackground(block, env, log) {
  const [apiPort, databasePort, redisPort] = [await freePort(), await freePort(), await freePort()];
  const redis = spawnGroup(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const pageEnv = { ...env };
  // As on a fresh clone: the embedded database, the default data directory and queue prefix.
  for (const name of ['DATABASE_URL', 'DATABASE_SCHEMA', 'DATA_DIR', 'QUEUE_PREFIX']) delete pageEnv[name];
  Object.assign(pageEnv, {
    PORT: String(apiPort),
    // One variable for every app under scripts/start: 0 gives each a free port of its own.
    HEALTH_PORT: '0',
    EMBEDDED_DB_PORT: String(databasePort),
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    FOREMAN_URL: `http://127.0.0.1:${apiPort}`,
  });
  const output = openSync(log, 'w');
  // Output to a file, not a pipe: spawnSync of the next blocks does not read pipes meanwhile.
  const child = spawnGroup('bash', ['-euo', 'pipefail', '-c', block.script], {
    cwd: copy,
    env: pageEnv,
    stdio: ['ignore', output, output],
  });
  const stop = async () => {
    const early = child.exitCode !== null || child.signalCode !== null;
    const killed = await stopGroup(child.pid);
    await stopGroup(redis.pid);
    return { early, killed };
  };
  const until = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`exited (${child.signalCode ?? child.exitCode}) before the api was ready`);
    }
    const response = await fetch(`${pageEnv.FOREMAN_URL}/ready`).catch(() => undefined);
    if (response?.status === 200) break;
    if (Date.now() > until) {
      await stop();
      throw new Error(`the api was not ready after ${READY_TIMEOUT_MS / 1000} s`);
    }
    await sleep(500);
  }
  return { env: pageEnv, stop };
}

/** Runs a block to its end (or BLOCK_TIMEOUT_S), its output collected; a signal to the check stops it too. */
async function runBlock(block, env) {
  // timeout(1) ends the whole process group (turbo, pnpm, tsc), not just bash.
  const child = spawnGroup(
    'timeout',
    ['--kill-after=10s', `${BLOCK_TIMEOUT_S}s`, 'bash', '-euo', 'pipefail', '-c', block.script],
    { cwd: copy, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = [];
  child.stdout.on('data', (chunk) => output.push(chunk));
  child.stderr.on('data', (chunk) => output.push(chunk));
  const status = await new Promise((resolve) =>
    child
      .once('close', (code, signal) => resolve(code ?? signal))
      .once('error', (error) => resolve(error.message)),
  );
  await stopGroup(child.pid); // whatever the block left running
  return { status, output: Buffer.concat(output).toString() };
}

const tail = (file) => readFileSync(file, 'utf8').split('\n').slice(-80).join('\n');

const copy = mkdtempSync(join(tmpdir(), 'foreman-docs-'));
const logDir = mkdtempSync(join(tmpdir(), 'foreman-docs-logs-'));
// Stopped halfway (a signal, an exception), the check still leaves no process and no copy behind.
process.on('exit', () => {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {}
  }
  // SIGKILL takes a moment; a dying process that still writes into the copy would fail the removal.
  const until = Date.now() + 5_000;
  while ([...groups].some(groupAlive) && Date.now() < until)
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  for (const dir of [copy, logDir]) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(1));
const failures = [];
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
  // The repo's turbo cache: beside the main worktree's .git, which git worktrees share.
  TURBO_CACHE_DIR: join(
    dirname(git('rev-parse', '--path-format=absolute', '--git-common-dir').trim()),
    '.turbo',
    'cache',
  ),
};
/** The background block of the page being run, if any; `failed` when it did not start. */
let background;
const endPage = async () => {
  const ending = background;
  background = undefined;
  if (!ending?.stop) return;
  const { where, stop, log } = ending;
  const stopping = Date.now();
  const { early, killed } = await stop();
  const problem = early
    ? 'stopped by itself'
    : killed
      ? `still running ${STOP_TIMEOUT_MS / 1000} s after SIGTERM`
      : undefined;
  if (!problem) {
    console.log(
      `ok    ${where} (stopped, nothing left after ${((Date.now() - stopping) / 1000).toFixed(1)} s)`,
    );
    return;
  }
  console.log(`FAIL  ${where}: ${problem}`);
  failures.push(`${where}: ${problem}\n--- output (end) ---\n${tail(log)}`);
};
for (const [index, block] of blocks.entries()) {
  // A background block lives until the end of its page.
  if (block.file !== blocks[index - 1]?.file) await endPage();
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
  if (block.background) {
    await endPage(); // a page's second background block replaces its first
    const log = join(logDir, `background-${index}.log`);
    try {
      background = { where: block.where, log, ...(await startBackground(block, env, log)) };
      console.log(`ok    ${block.where} (background, ready after ${seconds()} s)`);
    } catch (error) {
      background = { failed: block.where };
      console.log(`FAIL  ${block.where} (${seconds()} s): ${error.message}`);
      failures.push(`${block.where}: ${error.message}\n${block.script}\n--- output (end) ---\n${tail(log)}`);
    }
    continue;
  }
  if (background?.failed) {
    // Without the system its page started, the block would reach whatever listens on the defaults.
    console.log(`skip  ${block.where}: ${background.failed} did not start`);
    continue;
  }
  const run = await runBlock(block, background?.env ?? env);
  if (run.status === 0) {
    console.log(`ok    ${block.where} (${seconds()} s)`);
    continue;
  }
  const why = run.status === 124 ? `still running after ${BLOCK_TIMEOUT_S} s` : `exit ${run.status}`;
  console.log(`FAIL  ${block.where} (${seconds()} s): ${why}`);
  failures.push(`${block.where}: ${why}\n${block.script}\n--- output ---\n${run.output}`);
}
await endPage();
if (failures.length > 0) {
  console.error(`\nDocs commands that fail as written (${failures.length}):\n\n${failures.join('\n\n')}`);
  process.exit(1);
}
