import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPS, type AppSpec } from '../apps.js';
import { buildAppTree } from './build-app-tree.js';
import { inspectTree, type TreeFindings } from './foreign-code.js';
import { type DeployedAppRun, startDeployedApp } from './start-deployed-app.js';

export interface ImageCheckOptions {
  /** Settings the app starts with: Redis, database, queue prefix and schema. */
  readonly settings: Record<string, string>;
  /** Where built packages are cached between apps, so each is compiled once. */
  readonly turboCacheDir: string;
  readonly freePort: () => Promise<number>;
  /** Keep the temporary directory (for a look after a failure). */
  readonly keep?: boolean;
  /**
   * Apps built as on a brand-new machine: an empty HOME, pnpm store and metadata cache, so every
   * package comes from the registry (slow: keep it to one app in the suite).
   */
  readonly freshCachesFor?: readonly string[];
}

export interface ImageCheckReport {
  readonly app: string;
  readonly pruned: TreeFindings;
  readonly deployed: TreeFindings;
  readonly run: DeployedAppRun;
  readonly timingsMs: Record<string, number>;
  /** Built with empty caches: the files pnpm put in that empty HOME (store, metadata). */
  readonly freshHomeFiles?: number;
}

/** Prunes, installs, builds and deploys one app in a temporary directory, then runs it from there. */
export async function checkAppImage(spec: AppSpec, options: ImageCheckOptions): Promise<ImageCheckReport> {
  const workDir = await mkdtemp(join(tmpdir(), `foreman-image-${spec.name}-`));
  try {
    const freshHome = options.freshCachesFor?.includes(spec.name) ? join(workDir, 'home') : undefined;
    if (freshHome) await mkdir(freshHome);
    const tree = await buildAppTree(spec.name, workDir, options.turboCacheDir, { freshHome });
    const names = APPS.map((app) => app.name);
    const [pruned, deployed] = await Promise.all([
      inspectTree(tree.pruned, spec.name, names),
      inspectTree(tree.deployed, spec.name, names),
    ]);
    const run = await startDeployedApp(spec, tree.deployed, options.settings, await options.freePort());
    return {
      app: spec.name,
      pruned,
      deployed,
      run,
      timingsMs: { ...tree.timingsMs, start: run.startMs },
      ...(tree.freshHomeFiles === undefined ? {} : { freshHomeFiles: tree.freshHomeFiles }),
    };
  } finally {
    if (!options.keep) await rm(workDir, { recursive: true, force: true });
  }
}

/** Checks every app, the first alone (it compiles the shared packages), then `parallel` at a time. */
export async function checkAppImages(
  specs: readonly AppSpec[],
  options: ImageCheckOptions,
  parallel = 2,
): Promise<ImageCheckReport[]> {
  const [first, ...rest] = specs;
  if (!first) return [];
  const reports = [await checkAppImage(first, options)];
  // Apps built with empty caches wait on the registry: started first, they overlap the others.
  const fresh = (spec: AppSpec) => (options.freshCachesFor?.includes(spec.name) ? 0 : 1);
  const queue = [...rest].sort((a, b) => fresh(a) - fresh(b));
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let spec = queue.shift(); spec; spec = queue.shift())
        reports.push(await checkAppImage(spec, options));
    }),
  );
  return reports;
}
