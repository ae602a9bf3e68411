import { cp, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '../apps.js';
import { ImageCheckError } from './image-check-error.js';
import { buildEnv, freshHomeEnv, pnpmCommand, runCommand } from './run-command.js';

/** An app's workspace as the image's builder stage has it before the build: pruned and installed. */
export interface PreparedAppTree {
  readonly app: string;
  /** `turbo prune --docker` output: json/ (manifests), full/ (sources), the pruned lockfile. */
  readonly pruned: string;
  /** The workspace rebuilt from the pruned output, its dependencies installed. */
  readonly workspace: string;
  readonly env: NodeJS.ProcessEnv;
  readonly freshHome?: string;
  readonly timingsMs: Record<string, number>;
}

export interface AppTree extends PreparedAppTree {
  /** `pnpm deploy --prod`: what the image's runner stage holds. */
  readonly deployed: string;
  /** With `freshHome`: files pnpm put in that home (store, metadata cache) while building. */
  readonly freshHomeFiles?: number;
}

export interface PrepareAppTreeOptions {
  /**
   * Build as on a brand-new machine: HOME here, so pnpm's store, metadata cache and config start
   * empty and every package comes from the registry.
   */
  readonly freshHome?: string;
}

/** Runs `work` and records how long it took under `name`. */
async function timed(timingsMs: Record<string, number>, name: string, work: () => Promise<unknown>) {
  const started = performance.now();
  await work();
  timingsMs[name] = Math.round(performance.now() - started);
}

/**
 * The Dockerfile's first steps, in a directory: prune, then install from the pruned lockfile with
 * `--prefer-offline` (the local store when it has a package, the registry when not).
 */
export async function prepareAppTree(
  app: string,
  workDir: string,
  options: PrepareAppTreeOptions = {},
): Promise<PreparedAppTree> {
  const pruned = join(workDir, 'pruned');
  const workspace = join(workDir, 'workspace');
  const env = options.freshHome ? freshHomeEnv(options.freshHome) : buildEnv();
  const timingsMs: Record<string, number> = {};
  await timed(timingsMs, 'prune', () =>
    runCommand(
      app,
      'turbo prune',
      [
        join(repoRoot, 'node_modules/.bin/turbo'),
        'prune',
        `@foreman/${app}`,
        '--docker',
        '--out-dir',
        pruned,
      ],
      repoRoot,
    ),
  );
  await timed(timingsMs, 'install', async () => {
    await mkdir(workspace);
    await cp(join(pruned, 'json'), workspace, { recursive: true });
    await cp(join(pruned, 'pnpm-lock.yaml'), join(workspace, 'pnpm-lock.yaml'));
    await runCommand(
      app,
      'install from the pruned lockfile',
      [...pnpmCommand(), 'install', '--prefer-offline', '--frozen-lockfile', '--reporter=silent'],
      workspace,
      undefined,
      env,
    );
  });
  return {
    app,
    pruned,
    workspace,
    env,
    timingsMs,
    ...(options.freshHome ? { freshHome: options.freshHome } : {}),
  };
}

/** The Dockerfile's build step on a prepared tree: turbo, with the cache shared between apps. */
export async function buildAppTree(tree: PreparedAppTree, turboCacheDir: string): Promise<PreparedAppTree> {
  const { app, pruned, workspace, env } = tree;
  const timingsMs = { ...tree.timingsMs };
  await timed(timingsMs, 'build', async () => {
    await cp(join(pruned, 'full'), workspace, { recursive: true });
    await cp(join(repoRoot, 'tsconfig.base.json'), join(workspace, 'tsconfig.base.json'));
    await runCommand(
      app,
      'build',
      [
        join(workspace, 'node_modules/.bin/turbo'),
        'run',
        'build',
        `--filter=@foreman/${app}`,
        `--cache-dir=${turboCacheDir}`,
        '--output-logs=errors-only',
      ],
      workspace,
      undefined,
      env,
    );
  });
  return { ...tree, timingsMs };
}

/**
 * The Dockerfile's last step on a built tree: deploy the production tree with `--prefer-offline`,
 * which needs package metadata (ERR_PNPM_NO_OFFLINE_META with `--offline` on a machine whose cache
 * never resolved a package).
 */
export async function deployAppTree(tree: PreparedAppTree): Promise<AppTree> {
  const { app, workspace, env } = tree;
  const deployed = join(workspace, '..', 'deployed');
  const timingsMs = { ...tree.timingsMs };
  await timed(timingsMs, 'deploy', async () => {
    await runCommand(
      app,
      'pnpm deploy --prod',
      [
        ...pnpmCommand(),
        '--filter',
        `@foreman/${app}`,
        'deploy',
        '--prod',
        '--legacy',
        '--prefer-offline',
        deployed,
      ],
      workspace,
      undefined,
      env,
    );
    await cp(join(repoRoot, 'infra/docker/healthcheck.mjs'), join(deployed, 'healthcheck.mjs'));
    const built = await readdir(join(deployed, 'dist')).catch((): string[] => []);
    if (!built.includes('main.js'))
      throw new ImageCheckError(
        app,
        'pnpm deploy --prod',
        `no dist/main.js in the deployed tree (dist: ${built.join(' ')})`,
      );
  });
  if (!tree.freshHome) return { ...tree, deployed, timingsMs };
  const freshHomeFiles = (await readdir(tree.freshHome, { recursive: true })).length;
  return { ...tree, deployed, timingsMs, freshHomeFiles };
}
