import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface AppProcess {
  readonly logs: string[];
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts an app from its sources as its own process and waits for the log line saying it is up. */
export async function startApp(
  app: string,
  env: Record<string, string>,
  readyMessage: string,
): Promise<AppProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=development', '--import', 'tsx', `apps/${app}/src/main.ts`],
    {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const logs: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        logs.push(line);
        if (line.includes(`"msg":"${readyMessage}"`)) resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`${app} exited with ${code} before it was ready:\n${logs.join('\n')}`)),
    );
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
  await ready.finally(() => clearTimeout(timer));
  return {
    logs,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
