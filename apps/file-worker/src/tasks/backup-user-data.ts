import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { file } from '@foreman/contracts';
import { implementTask, NonRetryableError } from '@foreman/core/task';
import {
  aiTasks,
  and,
  backups,
  calendarFeeds,
  type Db,
  desc,
  eq,
  inboundEmails,
  isNotNull,
  tasks,
} from '@foreman/db';
import { isWithin } from '@foreman/files';
import { backupPath } from '../backup/backup-paths.js';
import { verifyBackupDir } from '../backup/verify-backup-dir.js';
import { writeBackup } from '../backup/write-backup.js';

export interface BackupUserDataDeps {
  db: Db;
  backupDir: string;
  keep: number;
}

/**
 * Backs up each user in turn: export, verify by re-reading, record, then prune to the newest
 * `keep`. A user that fails is reported and the others still run; nothing of a failed backup stays.
 */
export function backupUserDataTask({ db, backupDir, keep: defaultKeep }: BackupUserDataDeps) {
  return implementTask(file.backupUserData, async (payload, context) => {
    const users = payload.userId ? [payload.userId] : await usersWithData(db);
    const keep = payload.keep ?? defaultKeep;
    const made: Array<{ userId: string; backupId: string; rows: number; bytes: number }> = [];
    const errors: Array<{ id: string; error: string }> = [];
    let pruned = 0;
    for (const [index, userId] of users.entries()) {
      try {
        made.push(await backupUser(db, backupDir, userId, context.taskId, context.signal));
        pruned += await prune(db, backupDir, userId, keep);
      } catch (error) {
        if (context.signal.aborted) throw error;
        if (payload.userId)
          throw new NonRetryableError(`Backup of ${userId} failed: ${(error as Error).message}`);
        errors.push({ id: userId, error: (error as Error).message });
      }
      await context.progress(((index + 1) / users.length) * 100, userId);
    }
    return { backups: made, pruned, errors };
  });
}

async function usersWithData(db: Db): Promise<string[]> {
  const lists = await Promise.all([
    db.selectDistinct({ userId: tasks.userId }).from(tasks).where(isNotNull(tasks.userId)),
    db.selectDistinct({ userId: aiTasks.userId }).from(aiTasks),
    db.selectDistinct({ userId: inboundEmails.userId }).from(inboundEmails),
    db.selectDistinct({ userId: calendarFeeds.userId }).from(calendarFeeds),
  ]);
  return [...new Set(lists.flat().map((row) => row.userId as string))].sort();
}

async function backupUser(db: Db, backupDir: string, userId: string, taskId: string, signal: AbortSignal) {
  const path = backupPath(backupDir, userId, taskId);
  const [done] = await db.select().from(backups).where(eq(backups.path, path));
  // A retry after the backup was recorded has nothing left to do.
  if (done) return { userId, backupId: done.id, rows: done.rows, bytes: done.bytes };
  // A directory without a record is from an attempt that stopped before recording it: redo it.
  if (existsSync(path)) await rm(path, { recursive: true, force: true });
  const written = await writeBackup(db, userId, path, signal);
  try {
    await verifyBackupDir(path, written.manifestSha256, signal);
    const [row] = await db
      .insert(backups)
      .values({
        userId,
        path,
        files: written.manifest.files.length,
        rows: written.rows,
        bytes: written.bytes,
        manifestSha256: written.manifestSha256,
        verifiedAt: new Date(),
      })
      .returning({ id: backups.id });
    return { userId, backupId: row!.id, rows: written.rows, bytes: written.bytes };
  } catch (error) {
    await rm(path, { recursive: true, force: true });
    throw error;
  }
}

async function prune(db: Db, backupDir: string, userId: string, keep: number): Promise<number> {
  const rows = await db
    .select({ id: backups.id, path: backups.path })
    .from(backups)
    .where(eq(backups.userId, userId))
    .orderBy(desc(backups.createdAt), desc(backups.id));
  const root = resolve(backupDir);
  let pruned = 0;
  for (const old of rows.slice(keep)) {
    // Only ever remove inside the backup directory, whatever a row says.
    if (isWithin(root, resolve(old.path))) await rm(old.path, { recursive: true, force: true });
    await db.delete(backups).where(and(eq(backups.id, old.id), eq(backups.userId, userId)));
    pruned += 1;
  }
  return pruned;
}
