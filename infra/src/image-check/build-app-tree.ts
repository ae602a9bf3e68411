import { cp, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '../apps.js';
import { ImageCheckError } from './image-check-error.js';
import { pnpmCommand, runCommand } from './run-command.js';

export interface AppTree {
  /** `turbo prune --docker` output: json/ (manifests), full/ (sources), the pruned lockfile. */
  readonly pruned: string;
  /** The workspace rebuilt from the pruned output, as the image's builder stage holds it. */
  readonly workspace: string;
  /** `pnpm deploy --prod`: what the image's runner stage holds. */
  readonly deployed: string;
  readonly timingsMs: Record<string, number>;
}

/**
 * Does what infra/docker/Dockerfile does, in a directory: prune, install from the pruned lockfile
 * (offline, from the local store), build, and deploy the production tree.
 */
export async function buildAppTree(app: string, workDir: string, turboCacheDir: string): Promise<AppTree> {
  const pruned = join(workDir, 'pruned');
  const workspace = join(workDir, 'workspace');
  const deployed = join(workDir, 'deployed');
  const pnpm = pnpmCommand();
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
    await runCommand(
      app,
      'install from the pruned lockfile',
      [...pnpm, 'install', '--offline', '--frozen-lockfile', '--reporter=silent'],
      workspace,
    );
  });
  await step('build', async () => {
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
    );
  });
  await step('deploy', async () => {
    await runCommand(
      app,
      'pnpm deploy --prod',
      [...pnpm, '--filter', `@foreman/${app}`, 'deploy', '--prod', '--legacy', '--offline', deployed],
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
  return { pruned, workspace, deployed, timingsMs };
}
