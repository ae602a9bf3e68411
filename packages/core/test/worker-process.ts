import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly logs: string[];
  readonly healthPort: number;
  /** GET /health (liveness) of the process: its status code and report. */
  health(): Promise<{ status: number; body: Record<string, unknown> }>;
  /** GET /ready (readiness) of the process: its status code and report. */
  ready(): Promise<{ status: number; body: Record<string, unknown> }>;
  /** SIGKILL: no shutdown, no flush; resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts a worker main of this folder (fault-worker.ts unless told) as its own process and waits
 * for its "worker started" log line.
 */
export async function startWorkerProcess(
  env: Record<string, string>,
  script = 'fault-worker.ts',
): Promise<WorkerProcess> {
  const entry = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', entry], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'info', HEALTH_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const healthPort = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        logs.push(line);
        if (line.includes('"msg":"worker started"')) resolve(JSON.parse(line).healthPort as number);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) =>
      reject(new Error(`worker exited with ${code} before it was ready:\n${logs.join('\n')}`)),
    );
    setTimeout(() => reject(new Error(`worker not ready after 60 s:\n${logs.join('\n')}`)), 60_000).unref();
  });
  const get = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${healthPort}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return {
    child,
    logs,
    healthPort,
    health: () => get('/health'),
    ready: () => get('/ready'),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
