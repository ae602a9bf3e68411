import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { NonRetryableError } from '@foreman/core';
import { aiTasks, backups, eq, inboundEmails, tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { backupUserDataTask } from '../src/tasks/backup-user-data.js';
import { verifyBackupTask } from '../src/tasks/verify-backup.js';

const context = (taskId: string) =>
  ({ taskId, signal: new AbortController().signal, progress: async () => {} }) as never;

describe('file.backup_user_data and file.verify_backup against PostgreSQL and a real directory', () => {
  let testDb: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    testDb = await createTestDatabase('backup');
    dir = await mkdtemp(join(tmpdir(), 'foreman-backup-'));
    const db = testDb.database.db;
    const record = (userId: string, n: number) => ({
      id: `${userId}-${n}`,
      name: 'ai.run_ai_task',
      queue: 'ai',
      userId,
      status: 'completed' as const,
      payload: { n },
      createdAt: new Date(),
    });
    await db.insert(tasks).values(Array.from({ length: 1_205 }, (_, n) => record('ada', n)));
    await db.insert(tasks).values(record('../evil', 1));
    await db.insert(aiTasks).values({ userId: 'ada', name: 'brief', prompt: 'p' });
    await db.insert(inboundEmails).values({ userId: 'bob', fromAddress: 'x@example.test', subject: 'hi' });
  });
  afterAll(async () => {
    await testDb.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const task = (keep = 2) => backupUserDataTask({ db: testDb.database.db, backupDir: dir, keep });

  it("exports every user's rows into gzipped JSON lines with a SHA-256 manifest, once per task", async () => {
    const result = await task().handler({}, context('run-1'));
    expect(result.errors).toEqual([]);
    expect(result.backups.map((b) => [b.userId, b.rows])).toEqual([
      ['../evil', 1],
      ['ada', 1_206],
      ['bob', 1],
    ]);
    // A user id is one escaped directory name, never a path.
    expect((await readdir(dir)).sort()).toEqual(['%2E%2E%2Fevil', 'ada', 'bob']);

    const [ada] = await testDb.database.db.select().from(backups).where(eq(backups.userId, 'ada'));
    expect(ada?.verifiedAt).not.toBeNull();
    const manifest = JSON.parse(await readFile(join(ada!.path, 'manifest.json'), 'utf8'));
    expect(manifest.files.find((f: { table: string }) => f.table === 'tasks')).toMatchObject({ rows: 1_205 });
    const lines = gunzipSync(await readFile(join(ada!.path, 'tasks.jsonl.gz')))
      .toString()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(1_205);
    expect(new Set(lines.map((row) => row.id)).size).toBe(1_205);
    expect(lines.every((row) => row.user_id === 'ada')).toBe(true);

    const again = await task().handler({ userId: 'ada' }, context('run-1'));
    expect(again.backups[0]?.backupId).toBe(ada!.id);
    expect(await testDb.database.db.select().from(backups).where(eq(backups.userId, 'ada'))).toHaveLength(1);
  });

  it('verifies a backup by re-reading it and names what is wrong with a damaged one', async () => {
    const { backups: made } = await task().handler({ userId: 'bob' }, context('run-2'));
    const verify = verifyBackupTask({ db: testDb.database.db });
    await expect(verify.handler({ backupId: made[0]!.backupId }, context('v'))).resolves.toMatchObject({
      files: 8,
      rows: 1,
    });
    const [row] = await testDb.database.db.select().from(backups).where(eq(backups.id, made[0]!.backupId));
    await writeFile(join(row!.path, 'inbound_emails.jsonl.gz'), 'not gzip at all');
    const error = await Promise.resolve(verify.handler({ backupId: row!.id }, context('v'))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NonRetryableError);
    expect((error as Error).message).toMatch(/inbound_emails\.jsonl\.gz/);
    await expect(verify.handler({ backupId: randomUUID() }, context('v'))).rejects.toThrow(/does not exist/);
  });

  it('keeps the newest N backups per user and removes the older ones from disk', async () => {
    for (const run of ['k1', 'k2', 'k3']) await task(2).handler({ userId: 'ada' }, context(run));
    const kept = await testDb.database.db.select().from(backups).where(eq(backups.userId, 'ada'));
    expect(kept.map((row) => row.path.split('/').at(-1)).sort()).toEqual(['k2', 'k3']);
    expect(existsSync(join(dir, 'ada', 'run-1'))).toBe(false);
    expect((await readdir(join(dir, 'ada'))).sort()).toEqual(['k2', 'k3']);
  });

  it('fails a one-user backup clearly and leaves no partial directory', async () => {
    await rm(join(dir, 'bob'), { recursive: true, force: true });
    await writeFile(join(dir, 'bob'), 'a file where the user directory should be');
    await expect(task().handler({ userId: 'bob' }, context('run-x'))).rejects.toThrow(/Backup of bob failed/);
    const all = await task().handler({}, context('run-y'));
    expect(all.errors.map((e) => e.id)).toEqual(['bob']);
    expect(all.backups.map((b) => b.userId)).toEqual(['../evil', 'ada']);
  });
});
