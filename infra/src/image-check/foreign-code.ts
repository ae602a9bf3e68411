import { readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';

/**
 * Packages that only building or testing needs; a production tree holding one is too fat.
 * (typescript is not here: valibot, under the api's bull-board, declares it as a peer.)
 */
const DEV_ONLY = ['jest', '@swc/core', 'turbo', '@biomejs/biome', 'drizzle-kit', 'tsx'];

export interface TreeFindings {
  /** Paths that belong to another app (its folder or its package). */
  readonly otherApps: string[];
  /** Development-only packages installed in the tree. */
  readonly devPackages: string[];
  readonly files: number;
}

/** Scans a pruned or deployed tree for code that the image of `app` must not hold. */
export async function inspectTree(
  root: string,
  app: string,
  allApps: readonly string[],
): Promise<TreeFindings> {
  const others = allApps.filter((name) => name !== app);
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const otherApps = new Set<string>();
  const devPackages = new Set<string>();
  let files = 0;
  for (const entry of entries) {
    if (entry.isFile()) files++;
    const path = join(entry.parentPath, entry.name).slice(root.length + 1);
    const segments = path.split(sep);
    const at = segments.findIndex((segment, i) =>
      others.some((other) => belongsTo(other, segment, segments[i - 1])),
    );
    if (at >= 0) otherApps.add(segments.slice(0, at + 1).join('/'));
    // node_modules/<name> or node_modules/@scope/<name>, at any depth (.pnpm virtual store included)
    const modules = segments.lastIndexOf('node_modules');
    if (modules >= 0 && modules === segments.length - 2) {
      if (DEV_ONLY.includes(entry.name)) devPackages.add(entry.name);
    } else if (modules >= 0 && modules === segments.length - 3 && segments[modules + 1]!.startsWith('@')) {
      const name = `${segments[modules + 1]}/${entry.name}`;
      if (DEV_ONLY.includes(name)) devPackages.add(name);
    }
  }
  return { otherApps: [...otherApps].sort(), devPackages: [...devPackages].sort(), files };
}

/** apps/<app>, node_modules/@foreman/<app> or the virtual store's @foreman+<app>@… folder. */
function belongsTo(app: string, segment: string, parent: string | undefined): boolean {
  if (segment === app) return parent === 'apps' || parent === '@foreman';
  return segment.startsWith(`@foreman+${app}@`);
}
