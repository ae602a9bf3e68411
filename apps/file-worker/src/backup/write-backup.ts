import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { type Db, sql } from '@foreman/db';
import { hashStream } from './hash-stream.js';
import { BACKUP_TABLES, MANIFEST, type Manifest, type ManifestFile } from './manifest.js';

const PAGE = 1_000;

export interface WrittenBackup {
  manifest: Manifest;
  manifestSha256: string;
  rows: number;
  bytes: number;
}

/**
 * Exports a user's rows into `target`. Everything is written into `<target>.partial` and renamed
 * into place at the end, so a failed or interrupted backup leaves no directory that looks complete.
 */
export async function writeBackup(
  db: Db,
  userId: string,
  target: string,
  signal: AbortSignal,
): Promise<WrittenBackup> {
  const partial = `${target}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  try {
    const files: ManifestFile[] = [];
    for (const { table, key } of BACKUP_TABLES) {
      files.push(await exportTable(db, userId, table, key, join(partial, `${table}.jsonl.gz`), signal));
    }
    const manifest: Manifest = { version: 1, userId, createdAt: new Date().toISOString(), files };
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    await writeFile(join(partial, MANIFEST), text, { flag: 'wx' });
    await rename(partial, target);
    return {
      manifest,
      manifestSha256: createHash('sha256').update(text).digest('hex'),
      rows: files.reduce((sum, item) => sum + item.rows, 0),
      bytes: files.reduce((sum, item) => sum + item.bytes, 0),
    };
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
}

async function exportTable(
  db: Db,
  userId: string,
  table: string,
  key: string,
  path: string,
  signal: AbortSignal,
): Promise<ManifestFile> {
  let rows = 0;
  // Keyset paging keeps memory flat and each query short, however many rows a user has.
  async function* lines() {
    let after = '';
    for (;;) {
      const page = await db.execute<Record<string, unknown>>(
        sql`select * from ${sql.identifier(table)} where user_id = ${userId} and ${sql.identifier(key)}::text > ${after} order by ${sql.identifier(key)}::text limit ${PAGE}`,
      );
      for (const row of page.rows) yield `${JSON.stringify(row)}\n`;
      rows += page.rows.length;
      if (page.rows.length < PAGE) return;
      after = String(page.rows.at(-1)?.[key]);
    }
  }
  const hashed = hashStream();
  await pipeline(lines, createGzip(), hashed.stream, createWriteStream(path, { flags: 'wx' }), { signal });
  const name = path.slice(path.lastIndexOf('/') + 1);
  return { name, table, rows, ...hashed.digest() };
}
