import { execFile } from 'node:child_process';
import { ImageCheckError } from './image-check-error.js';

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

/** pnpm as the current run invoked it (turbo and `pnpm test` set npm_execpath), else from PATH. */
export function pnpmCommand(): [string, ...string[]] {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) {
    return execPath.endsWith('.cjs') || execPath.endsWith('.js') ? [process.execPath, execPath] : [execPath];
  }
  return ['pnpm'];
}

/** Runs a command to completion; a non-zero exit becomes an ImageCheckError with its output. */
export function runCommand(
  app: string,
  step: string,
  [command, ...args]: string[],
  cwd: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command!,
      args,
      { cwd, env: buildEnv(), maxBuffer: 64 * 1024 * 1024, timeout: 240_000 },
      (error, stdout, stderr) => {
        if (error) reject(new ImageCheckError(app, step, `${args.join(' ')}\n${stdout}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}
