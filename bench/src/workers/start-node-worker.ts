import { fileURLToPath } from 'node:url';
import { loadBenchEnv } from '../env.js';
import { WorkerProcess } from '../infra/worker-process.js';
import { bundledWorker } from './bundle-worker.js';

const benchRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Runs one of this folder's worker entries, bundled, as its own Node process. */
export async function startNodeWorker(entry: string, env: Record<string, string>, label: string) {
  return WorkerProcess.start({
    command: process.execPath,
    args: [...loadBenchEnv().BENCH_WORKER_NODE_ARGS.split(' ').filter(Boolean), await bundledWorker(entry)],
    cwd: benchRoot,
    env: { ...process.env, NODE_OPTIONS: '', ...env } as Record<string, string>,
    label,
  });
}
