import { type ChildProcess, spawn } from 'node:child_process';

export interface AppProcess {
  readonly logs: string[];
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts an app of the repo at `root` from its sources (`apps/<app>/src/main.ts` through tsx) as
 * its own process, and waits for the JSON log line whose `msg` is `readyMessage`.
 */
export async function startAppProcess(
  root: string,
  app: string,
  env: Record<string, string>,
  readyMessage: string,
  { timeoutMs = 45_000 } = {},
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
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
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
