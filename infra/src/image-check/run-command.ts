import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ImageCheckError } from './image-check-error.js';

/** Generous: the first app's build compiles every shared package, on a machine busy with other tests. */
const STEP_TIMEOUT_MS = 480_000;

/**
 * The environment of the build steps: the parent's, minus what would leak the outer run into them
 * (jest's NODE_OPTIONS, an enclosing turbo run's variables).
 */
export function buildEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_OPTIONS' || (key.startsWith('TURBO_') && key !== 'TURBO_TELEMETRY_DISABLED')) continue;
    env[key] = value;
  }
  return { ...env, COREPACK_INTEGRITY_KEYS: '0', COREPACK_ENABLE_DOWNLOAD_PROMPT: '0', CI: '1' };
}

/**
 * `buildEnv()` as a brand-new machine has it: HOME (and every XDG directory) under `home`, so pnpm
 * starts with an empty store, metadata cache and config. Corepack's own cache is kept: it holds the
 * pnpm binary the run was started with, not packages.
 */
export function freshHomeEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(buildEnv())) {
    const lower = key.toLowerCase();
    if (
      key.startsWith('XDG_') ||
      key === 'PNPM_HOME' ||
      lower.startsWith('npm_config_') ||
      lower.startsWith('pnpm_config_')
    )
      continue;
    env[key] = value;
  }
  return {
    ...env,
    HOME: home,
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local/state'),
    COREPACK_HOME: process.env.COREPACK_HOME ?? join(homedir(), '.cache/node/corepack'),
  };
}

/** pnpm as the current run invoked it (turbo and `pnpm test` set npm_execpath), else from PATH. */
export function pnpmCommand(): [string, ...string[]] {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) {
    return execPath.endsWith('.cjs') || execPath.endsWith('.js') ? [process.execPath, execPath] : [execPath];
  }
  return ['pnpm'];
}

/**
 * Runs a command to completion; a non-zero exit, or a stop at the timeout, becomes an
 * ImageCheckError with its output.
 */
export function runCommand(
  app: string,
  step: string,
  [command, ...args]: string[],
  cwd: string,
  timeoutMs = STEP_TIMEOUT_MS,
  env: NodeJS.ProcessEnv = buildEnv(),
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command!,
      args,
      { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs },
      (error, stdout, stderr) => {
        // A command that traps the timeout's SIGTERM can still exit 0 (turbo does, leaving a build
        // half done); execFile then reports no error, so the kill is checked on its own.
        if (child.killed) {
          reject(
            new ImageCheckError(
              app,
              step,
              `stopped after ${timeoutMs} ms: ${args.join(' ')}\n${stdout}\n${stderr}`,
            ),
          );
        } else if (error) reject(new ImageCheckError(app, step, `${args.join(' ')}\n${stdout}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}
