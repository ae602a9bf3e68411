import { lstat, opendir, realpath, unlink } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import picomatch from 'picomatch';
import { isWithin } from './resolve-inside-roots.js';

export interface RemoveOldFilesOptions {
  /** Directory to clean; its real location (after `..` and symlinks) is the boundary. */
  root: string;
  /** Files last modified longer ago than this go. */
  olderThanMs: number;
  /** Globs matched against each file's name (not its path), dot files included. */
  patterns: readonly string[];
  /** Report what would go without removing anything. */
  dryRun?: boolean;
  signal?: AbortSignal;
  /** Largest number of paths listed in the report (counts stay exact). */
  maxListed?: number;
}

export interface RemovedFiles {
  /** The real root that was cleaned. */
  root: string;
  /** Paths relative to the root, removed (or, in a dry run, that would be). */
  removed: string[];
  count: number;
  bytes: number;
  /** Symbolic links met and left alone: never followed, never removed. */
  symlinksSkipped: number;
}

/**
 * Removes old files matching a pattern below a root. Walks without following symbolic links,
 * re-checks each file's directory is still inside the root just before removing it (a directory
 * swapped for a link mid-walk is left alone), and never removes a directory, so never the root.
 */
export async function removeOldFiles(options: RemoveOldFilesOptions): Promise<RemovedFiles> {
  const root = await realpath(options.root);
  const matches = picomatch([...options.patterns], { dot: true });
  const cutoff = Date.now() - options.olderThanMs;
  const maxListed = options.maxListed ?? 1_000;
  const report: RemovedFiles = { root, removed: [], count: 0, bytes: 0, symlinksSkipped: 0 };

  const walk = async (directory: string): Promise<void> => {
    for await (const entry of await opendir(directory)) {
      options.signal?.throwIfAborted();
      const path = join(directory, entry.name);
      if (entry.isSymbolicLink()) report.symlinksSkipped += 1;
      else if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && matches(entry.name)) {
        const info = await lstat(path);
        if (!info.isFile() || info.mtimeMs >= cutoff) continue;
        const parent = await realpath(dirname(path));
        if (parent !== root && !isWithin(root, parent)) continue;
        if (!options.dryRun) await unlink(path);
        report.count += 1;
        report.bytes += info.size;
        if (report.removed.length < maxListed) report.removed.push(relative(root, path));
      }
    }
  };
  await walk(root);
  return report;
}
