import { execFile, spawn } from 'node:child_process';
import { waitFor } from '@foreman/core/testing';
import type { AppSpec } from '../apps.js';
import { ImageCheckError } from './image-check-error.js';

export interface DeployedAppRun {
  /** The app's GET /health (liveness) answer. */
  readonly health: Record<string, unknown>;
  /** HTTP status of the app's GET /ready (Redis and the database reachable) once it is live. */
  readonly readyStatus: number;
  /** Exit code of the image's HEALTHCHECK command against the running app. */
  readonly healthcheckExitCode: number | null;
  /** HTTP status of each of the spec's `servedFiles`. */
  readonly servedFiles: Record<string, number>;
  /** Exit code after SIGTERM (0 = graceful stop). */
  readonly stopExitCode: number | null;
  readonly startMs: number;
}

/**
 * Starts `node dist/main.js` in the deployed tree with nothing but the given settings (no inherited
 * NODE_OPTIONS, no workspace around it), checks /health, /ready and the image's healthcheck, then
 * stops it.
 */
export async function startDeployedApp(
  spec: AppSpec,
  deployed: string,
  settings: Record<string, string>,
  port: number,
): Promise<DeployedAppRun> {
  const env = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    APP: spec.name,
    DATA_DIR: `${deployed}/.data`,
    ...settings,
    [spec.portVariable]: String(port),
  };
  const started = performance.now();
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: deployed,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const health = await waitFor(
      async () => {
        if (child.exitCode !== null) throw new ImageCheckError(spec.name, 'start', logs.join(''));
        const response = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
        return response?.ok ? ((await response.json()) as Record<string, unknown>) : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: `${spec.name} /health` },
    ).catch((error: Error) => {
      throw error instanceof ImageCheckError
        ? error
        : new ImageCheckError(spec.name, 'start', `${error.message}\n${logs.join('')}`);
    });
    const startMs = Math.round(performance.now() - started);
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    await ready.arrayBuffer();
    const healthcheckExitCode = await new Promise<number | null>((resolve) =>
      execFile(process.execPath, ['healthcheck.mjs'], { cwd: deployed, env }, (error) =>
        resolve(error ? (typeof error.code === 'number' ? error.code : 1) : 0),
      ),
    );
    const servedFiles: Record<string, number> = {};
    for (const path of spec.servedFiles ?? []) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      await response.arrayBuffer();
      servedFiles[path] = response.status;
    }
    child.kill('SIGTERM');
    const stopExitCode = await exited;
    return { health, readyStatus: ready.status, healthcheckExitCode, servedFiles, stopExitCode, startMs };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
