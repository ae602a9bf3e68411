import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPS, type AppSpec } from '../apps.js';
import { buildAppTree, deployAppTree, type PreparedAppTree, prepareAppTree } from './build-app-tree.js';
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

/** Prunes and installs one app in a temporary directory of its own. */
async function prepareApp(spec: AppSpec, options: ImageCheckOptions): Promise<PreparedAppTree> {
  const workDir = await mkdtemp(join(tmpdir(), `foreman-image-${spec.name}-`));
  const freshHome = options.freshCachesFor?.includes(spec.name) ? join(workDir, 'home') : undefined;
  if (freshHome) await mkdir(freshHome);
  return prepareAppTree(spec.name, workDir, { freshHome });
}

/** Deploys a built app, inspects its trees, then runs it from its deployed tree. */
async function deployApp(
  spec: AppSpec,
  built: PreparedAppTree,
  options: ImageCheckOptions,
): Promise<ImageCheckReport> {
  const tree = await deployAppTree(built);
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
}

/**
 * Checks every app. Each app is pruned, installed, built, deployed and started on its own, but the
 * apps share the compiled workspace packages through turbo's cache: the first app's build compiles
 * them, and every other build waits for it. That build is mostly one tsc at a time, so meanwhile
 * the other apps are pruned and installed, one after another (those with fresh caches at once:
 * they wait on the registry); `parallel` apps at a time are built, deployed and started (three:
 * a deploy resolves from package metadata, and waits on files about a third of its time).
 */
export async function checkAppImages(
  specs: readonly AppSpec[],
  options: ImageCheckOptions,
  parallel = 3,
): Promise<ImageCheckReport[]> {
  const [first, ...rest] = specs;
  if (!first) return [];
  const fresh = (spec: AppSpec) => options.freshCachesFor?.includes(spec.name) === true;
  const order = [first, ...rest.filter(fresh), ...rest.filter((spec) => !fresh(spec))];
  const workDirs: string[] = [];
  const prepared = new Map<string, Promise<PreparedAppTree>>();
  let installs: Promise<unknown> = Promise.resolve();
  for (const spec of order) {
    const prepare = () =>
      prepareApp(spec, options).then((tree) => {
        workDirs.push(join(tree.workspace, '..'));
        return tree;
      });
    if (spec !== first && fresh(spec)) prepared.set(spec.name, prepare());
    else {
      const tree = installs.then(prepare, prepare);
      installs = tree;
      prepared.set(spec.name, tree);
    }
  }
  const firstBuilt = prepared.get(first.name)!.then((tree) => buildAppTree(tree, options.turboCacheDir));
  // Awaited below, or given up with the run: a failure must not go unhandled meanwhile.
  for (const pending of [firstBuilt, ...prepared.values()]) pending.catch(() => {});
  const check = async (spec: AppSpec) => {
    if (spec === first) return deployApp(spec, await firstBuilt, options);
    const tree = await prepared.get(spec.name)!;
    await firstBuilt;
    return deployApp(spec, await buildAppTree(tree, options.turboCacheDir), options);
  };
  try {
    const queue = [...order];
    const reports: ImageCheckReport[] = [];
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        for (let spec = queue.shift(); spec; spec = queue.shift()) reports.push(await check(spec));
      }),
    );
    return reports;
  } finally {
    await Promise.allSettled(prepared.values());
    if (!options.keep) await Promise.all(workDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}
