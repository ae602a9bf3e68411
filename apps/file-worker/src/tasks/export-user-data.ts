import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { emailIntelligence } from '@foreman/contracts';
import { implementTask } from '@foreman/core/task';
import { and, type Db, desc, eq, userExports } from '@foreman/db';
import { isWithin } from '@foreman/files';
import { safeSegment } from '../backup/backup-paths.js';
import { writeExportZip } from '../export/write-export-zip.js';

export interface ExportUserDataDeps {
  db: Db;
  /** The file roots; exports go under `<first root>/exports/<user>/`. */
  roots: readonly string[];
  /** Exports kept per user; older ones (files and rows) go when a new one is recorded. */
  exportKeep: number;
}

/** Where exports are written: a directory of the first file root, so the api can check it serves only from the roots. */
export function exportDir(roots: readonly string[]): string {
  const [first] = roots;
  if (!first) throw new TypeError('export_user_data needs at least one file root (FILE_ROOTS)');
  return join(resolve(first), 'exports');
}

/**
 * Exports one user's mail and classification data to a zip, records it with its SHA-256, and
 * returns its id for GET /exports/{id}/download. The task id names the file, so a retry after the
 * record was written returns that export, and one before redoes the file.
 */
export function exportUserDataTask({ db, roots, exportKeep }: ExportUserDataDeps) {
  const dir = exportDir(roots);
  return implementTask(emailIntelligence.exportUserData, async ({ userId }, context) => {
    const [done] = await db.select().from(userExports).where(eq(userExports.taskId, context.taskId));
    if (done) return { exportId: done.id, messages: done.messages, bytes: done.bytes, sha256: done.sha256 };
    const path = join(dir, safeSegment(userId), `${safeSegment(context.taskId)}.zip`);
    if (existsSync(path)) await rm(path, { force: true });
    const written = await writeExportZip(db, userId, path, context.signal);
    try {
      const [row] = await db
        .insert(userExports)
        .values({ userId, taskId: context.taskId, path, ...written })
        .returning({ id: userExports.id });
      await prune(db, dir, userId, exportKeep);
      await context.progress(100);
      return { exportId: row?.id as string, ...written };
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
  });
}

async function prune(db: Db, dir: string, userId: string, keep: number): Promise<void> {
  const rows = await db
    .select({ id: userExports.id, path: userExports.path })
    .from(userExports)
    .where(eq(userExports.userId, userId))
    .orderBy(desc(userExports.createdAt), desc(userExports.id));
  for (const old of rows.slice(keep)) {
    // Only ever remove inside the export directory, whatever a row says.
    if (isWithin(dir, resolve(old.path))) await rm(old.path, { force: true });
    await db.delete(userExports).where(and(eq(userExports.id, old.id), eq(userExports.userId, userId)));
  }
}
