import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { PathOutsideRootsError } from './path-outside-roots-error.js';

/**
 * Resolves a path, following symlinks, and accepts it only if the real location lies inside one of
 * the roots. A `..` or a symlink that leads out of a root is refused; so is a root itself unless
 * `allowRoot`.
 */
export async function resolveInsideRoots(
  path: string,
  roots: readonly string[],
  { allowRoot = false } = {},
): Promise<string> {
  const realRoots = await Promise.all(roots.map((root) => realpath(root).catch(() => undefined)));
  const candidate = isAbsolute(path) ? path : resolve(roots[0] ?? '.', path);
  const real = await realpath(candidate);
  for (const root of realRoots) {
    if (root && (isWithin(root, real) || (allowRoot && root === real))) return real;
  }
  throw new PathOutsideRootsError(path);
}

/** True when `path` lies strictly below `root` (both already real, absolute paths). */
export function isWithin(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}
