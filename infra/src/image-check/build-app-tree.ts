import { cp, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '../apps.js';
import { ImageCheckError } from './image-check-error.js';
import { buildEnv, freshHomeEnv, pnpmCommand, runCommand } from './run-command.js';

export interface AppTree {
  /** `turbo prune --docker` output: json/ (manifests), full/ (sources), the pruned lockfile. */
  readonly pruned: string;
  /** The workspace rebuilt from the pruned output, as the image's builder stage holds it. */
  readonly workspace: string;
  /** `pnpm deploy --prod`: what the image's runner stage holds. */
  readonly deployed: string;
  readonly timingsMs: Record<string, number>;
  /** With `freshHome`: files pnpm put in that home (store, metadata cache) while building. */
  readonly freshHomeFiles?: number;
}

export interface BuildAppTreeOptions {
  /**
   * Build as on a brand-new machine: HOME here, so pnpm's store and metadata cache start empty and
   * every package comes from the registry.
   */
  readonly freshHome?: string;
}

/**
 * Does what infra/docker/Dockerfile does, in a directory: prune, install from the pruned lockfile,
 * build, and deploy the production tree. Install and deploy take `--prefer-offline`: the local
 * store and metadata cache when they have a package, the registry when not (`--offline` fails on a
 * machine whose cache never resolved it: ERR_PNPM_NO_OFFLINE_META).
 */
export async function buildAppTree(
  app: string,
  workDir: string,
  turboCacheDir: string,
  options: BuildAppTreeOptions = {},
): Promise<AppTree> {
  const pruned = join(workDir, 'pruned');
  const workspace = join(workDir, 'workspace');
  const deployed = join(workDir, 'deployed');
  const pnpm = pnpmCommand();
  const env = options.freshHome ? freshHomeEnv(options.freshHome) : buildEnv();
  const run = (step: string, command: string[], cwd: string) =>
    runCommand(app, step, command, cwd, undefined, env);
  const timingsMs: Record<string, number> = {};
  const step = async (name: string, work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    timingsMs[name] = Math.round(performance.now() - started);
  };

  await step('prune', () =>
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
  await step('install', async () => {
    await mkdir(workspace);
    await cp(join(pruned, 'json'), workspace, { recursive: true });
    await cp(join(pruned, 'pnpm-lock.yaml'), join(workspace, 'pnpm-lock.yaml'));
    await run(
      'install from the pruned lockfile',
      [...pnpm, 'install', '--prefer-offline', '--frozen-lockfile', '--reporter=silent'],
      workspace,
    );
  });
  await step('build', async () => {
    await cp(join(pruned, 'full'), workspace, { recursive: true });
    await cp(join(repoRoot, 'tsconfig.base.json'), join(workspace, 'tsconfig.base.json'));
    await run(
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
    );
  });
  await step('deploy', async () => {
    await run(
      'pnpm deploy --prod',
      [...pnpm, '--filter', `@foreman/${app}`, 'deploy', '--prod', '--legacy', '--prefer-offline', deployed],
      workspace,
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
  if (!options.freshHome) return { pruned, workspace, deployed, timingsMs };
  const freshHomeFiles = (await readdir(options.freshHome, { recursive: true })).length;
  return { pruned, workspace, deployed, timingsMs, freshHomeFiles };
}
