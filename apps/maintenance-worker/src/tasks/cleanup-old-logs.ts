import { maintenance } from '@foreman/contracts';
import { implementTask } from '@foreman/core/task';
import { removeOldFiles } from '@foreman/files';

export interface CleanupOldLogsDeps {
  logDir: string;
  patterns: readonly string[];
  retentionDays: number;
}

/** Log retention: old files matching the log patterns go; links and directories are never touched. */
export function cleanupOldLogsTask({ logDir, patterns, retentionDays }: CleanupOldLogsDeps) {
  return implementTask(maintenance.cleanupOldLogs, async ({ dryRun, olderThanDays }, context) => {
    const report = await removeOldFiles({
      root: logDir,
      patterns,
      olderThanMs: (olderThanDays ?? retentionDays) * 86_400_000,
      dryRun,
      signal: context.signal,
    });
    return {
      dryRun,
      directory: report.root,
      removed: report.count,
      bytes: report.bytes,
      files: report.removed,
    };
  });
}
