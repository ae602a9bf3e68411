import type { AnyTaskImplementation } from '@foreman/core/task';
import { type BackupUserDataDeps, backupUserDataTask } from './backup-user-data.js';
import { checksumFileTask } from './checksum-file.js';
import { type CleanupTempFilesDeps, cleanupTempFilesTask } from './cleanup-temp-files.js';
import { type ExportUserDataDeps, exportUserDataTask } from './export-user-data.js';
import { verifyBackupTask } from './verify-backup.js';

export function fileTasks(
  deps: CleanupTempFilesDeps & BackupUserDataDeps & ExportUserDataDeps,
): AnyTaskImplementation[] {
  return [
    checksumFileTask(deps),
    cleanupTempFilesTask(deps),
    backupUserDataTask(deps),
    verifyBackupTask(deps),
    exportUserDataTask(deps),
  ];
}
