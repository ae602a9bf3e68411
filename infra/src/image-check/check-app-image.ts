import { mkdtemp, rm } from 'node:fs/promises';
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
}

export interface ImageCheckReport {
  readonly app: string;
  readonly pruned: TreeFindings;
  readonly deployed: TreeFindings;
  readonly run: DeployedAppRun;
  readonly timingsMs: Record<string, number>;
}

/** Prunes, installs, builds and deploys one app in a temporary directory, then runs it from there. */
export async function checkAppImage(spec: AppSpec, options: ImageCheckOptions): Promise<ImageCheckReport> {
  const workDir = await mkdtemp(join(tmpdir(), `foreman-image-${spec.name}-`));
  try {
    const tree = await buildAppTree(spec.name, workDir, options.turboCacheDir);
    const names = APPS.map((app) => app.name);
    const [pruned, deployed] = await Promise.all([
      inspectTree(tree.pruned, spec.name, names),
      inspectTree(tree.deployed, spec.name, names),
    ]);
    const run = await startDeployedApp(spec, tree.deployed, options.settings, await options.freePort());
    return { app: spec.name, pruned, deployed, run, timingsMs: { ...tree.timingsMs, start: run.startMs } };
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
  const queue = [...rest];
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let spec = queue.shift(); spec; spec = queue.shift())
        reports.push(await checkAppImage(spec, options));
    }),
  );
  return reports;
}
