import { file } from '@foreman/contracts';
import { implementTask, NonRetryableError } from '@foreman/core/task';
import { backups, type Db, eq } from '@foreman/db';
import { BackupCorruptError } from '../backup/backup-corrupt-error.js';
import { verifyBackupDir } from '../backup/verify-backup-dir.js';

/** Re-reads a recorded backup and stamps `verified_at`; a damaged backup fails with what is wrong. */
export function verifyBackupTask({ db }: { db: Db }) {
  return implementTask(file.verifyBackup, async ({ backupId }, context) => {
    const [row] = await db.select().from(backups).where(eq(backups.id, backupId));
    if (!row) throw new NonRetryableError(`Backup ${backupId} does not exist`);
    try {
      const verified = await verifyBackupDir(row.path, row.manifestSha256, context.signal);
      await db.update(backups).set({ verifiedAt: new Date() }).where(eq(backups.id, backupId));
      return { backupId, ...verified };
    } catch (error) {
      if (error instanceof BackupCorruptError) throw new NonRetryableError(error.message);
      throw error;
    }
  });
}
