import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Where a deployable app answers GET /health: the api on PORT, every other app on HEALTH_PORT. */
export interface AppSpec {
  readonly name: string;
  readonly portVariable: 'PORT' | 'HEALTH_PORT';
  readonly defaultPort: number;
  /** The queue a worker consumes and its seed concurrency; undefined for the api and beat. */
  readonly queue?: string;
  readonly concurrency?: number;
  /** Paths the deployed app must answer 200 without a key: files its build copies beside the code. */
  readonly servedFiles?: readonly string[];
}

export const APPS: readonly AppSpec[] = [
  {
    name: 'api',
    portVariable: 'PORT',
    defaultPort: 3000,
    servedFiles: ['/login', '/dashboard/assets/app.js', '/dashboard/assets/vendor/uPlot.esm.js'],
  },
  { name: 'ai-worker', portVariable: 'HEALTH_PORT', defaultPort: 3101, queue: 'ai', concurrency: 1 },
  { name: 'email-worker', portVariable: 'HEALTH_PORT', defaultPort: 3102, queue: 'email', concurrency: 4 },
  { name: 'file-worker', portVariable: 'HEALTH_PORT', defaultPort: 3103, queue: 'file', concurrency: 2 },
  { name: 'sync-worker', portVariable: 'HEALTH_PORT', defaultPort: 3104, queue: 'sync', concurrency: 2 },
  {
    name: 'maintenance-worker',
    portVariable: 'HEALTH_PORT',
    defaultPort: 3105,
    queue: 'maintenance',
    concurrency: 1,
  },
  { name: 'beat', portVariable: 'HEALTH_PORT', defaultPort: 3106 },
];

/** Directory names under apps/: the source of truth the specs above are checked against. */
export function appDirectories(): string[] {
  return readdirSync(new URL('../../apps', import.meta.url), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}
