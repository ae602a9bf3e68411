import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { BackupCorruptError } from './backup-corrupt-error.js';
import { hashStream } from './hash-stream.js';
import { MANIFEST, type Manifest } from './manifest.js';

export interface VerifiedBackup {
  files: number;
  rows: number;
  bytes: number;
}

/**
 * Re-reads a backup from disk: the manifest against its recorded hash, then every file's size and
 * SHA-256, and every line as JSON, counting rows against the manifest.
 */
export async function verifyBackupDir(
  path: string,
  manifestSha256: string,
  signal: AbortSignal,
): Promise<VerifiedBackup> {
  const problems: string[] = [];
  let text: string;
  try {
    text = await readFile(join(path, MANIFEST), 'utf8');
  } catch (error) {
    throw new BackupCorruptError(path, [`manifest unreadable: ${(error as Error).message}`]);
  }
  if (createHash('sha256').update(text).digest('hex') !== manifestSha256) {
    throw new BackupCorruptError(path, ['manifest.json does not match its recorded SHA-256']);
  }
  const manifest = JSON.parse(text) as Manifest;
  let rows = 0;
  let bytes = 0;
  for (const entry of manifest.files) {
    signal.throwIfAborted();
    const hashed = hashStream();
    const gunzip = createGunzip();
    let lines = 0;
    const counted = (async () => {
      try {
        for await (const line of createInterface({ input: gunzip, crlfDelay: Number.POSITIVE_INFINITY })) {
          JSON.parse(line);
          lines += 1;
        }
      } catch (error) {
        gunzip.destroy(error as Error);
        throw error;
      }
    })();
    try {
      await Promise.all([
        pipeline(createReadStream(join(path, entry.name)), hashed.stream, gunzip, { signal }),
        counted,
      ]);
    } catch (error) {
      if (signal.aborted) throw error;
      problems.push(`${entry.name}: ${(error as Error).message}`);
      continue;
    }
    const { sha256, bytes: size } = hashed.digest();
    if (sha256 !== entry.sha256) problems.push(`${entry.name}: SHA-256 differs from the manifest`);
    if (size !== entry.bytes) problems.push(`${entry.name}: ${size} bytes, manifest says ${entry.bytes}`);
    if (lines !== entry.rows) problems.push(`${entry.name}: ${lines} rows, manifest says ${entry.rows}`);
    rows += lines;
    bytes += size;
  }
  if (problems.length > 0) throw new BackupCorruptError(path, problems);
  return { files: manifest.files.length, rows, bytes };
}
