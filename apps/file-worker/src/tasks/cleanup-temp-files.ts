import { file } from '@foreman/contracts';
import { implementTask, NonRetryableError } from '@foreman/core/task';
import { PathOutsideRootsError, type RemovedFiles, removeOldFiles, resolveInsideRoots } from '@foreman/files';

export interface CleanupTempFilesDeps {
  roots: readonly string[];
  patterns: readonly string[];
  maxAgeHours: number;
}

/** Removes old temp files root by root; a root that fails is reported and the others still run. */
export function cleanupTempFilesTask({ roots, patterns, maxAgeHours }: CleanupTempFilesDeps) {
  return implementTask(file.cleanupTempFiles, async (payload, context) => {
    let targets: readonly string[] = roots;
    if (payload.path) {
      try {
        targets = [await resolveInsideRoots(payload.path, roots, { allowRoot: true })];
      } catch (error) {
        if (error instanceof PathOutsideRootsError) throw new NonRetryableError(error.message);
        throw new NonRetryableError(`Cannot clean "${payload.path}": ${(error as Error).message}`);
      }
    }
    const reports: RemovedFiles[] = [];
    const errors: Array<{ id: string; error: string }> = [];
    for (const [index, root] of targets.entries()) {
      try {
        reports.push(
          await removeOldFiles({
            root,
            olderThanMs: (payload.olderThanHours ?? maxAgeHours) * 3_600_000,
            patterns: payload.patterns ?? patterns,
            dryRun: payload.dryRun,
            signal: context.signal,
          }),
        );
      } catch (error) {
        if (context.signal.aborted) throw error;
        errors.push({ id: root, error: (error as Error).message });
      }
      await context.progress(((index + 1) / targets.length) * 100, root);
    }
    return {
      dryRun: payload.dryRun,
      removed: reports.reduce((sum, report) => sum + report.count, 0),
      bytes: reports.reduce((sum, report) => sum + report.bytes, 0),
      symlinksSkipped: reports.reduce((sum, report) => sum + report.symlinksSkipped, 0),
      roots: reports.map(({ root, count, bytes, removed }) => ({ root, count, bytes, removed })),
      errors,
    };
  });
}
