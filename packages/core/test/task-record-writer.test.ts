import {
  createDatabase,
  deadLetters,
  eq,
  findTask,
  inArray,
  type NewTaskRecord,
  sql,
  tasks,
} from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { QuarantineLog } from '../src/records/quarantine-log.js';
import { recordVersion } from '../src/records/record-version.js';
import { TaskRecordWriter } from '../src/records/task-record-writer.js';
import { createTestRedis } from '../src/testing.js';
import { logger } from './fixtures.js';

const row = (
  id: string,
  status: NewTaskRecord['status'],
  attempt: number,
  extra: Partial<NewTaskRecord> = {},
) => ({
  id,
  name: 'demo.echo',
  queue: 'demo',
  status,
  attempts: attempt,
  createdAt: new Date(),
  version: recordVersion(status, attempt),
  ...extra,
});

describe('TaskRecordWriter', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase('records');
  });
  afterAll(() => testDb.drop());

  const read = (id: string) =>
    testDb.database.db
      .select()
      .from(tasks)
      .where(eq(tasks.id, id))
      .then((rows) => rows[0]);

  it('writes many rows per statement', async () => {
    const writer = new TaskRecordWriter({ db: testDb.database.db, maxBatch: 100, flushIntervalMs: 1_000 });
    await Promise.all(
      Array.from({ length: 250 }, () => writer.write(row(crypto.randomUUID(), 'pending', 0))),
    );
    expect(writer.stats.written).toBe(250);
    expect(writer.stats.statements).toBe(3);
    await writer.close();
  });

  it('never moves a record back when writes land out of order', async () => {
    const writer = new TaskRecordWriter({ db: testDb.database.db });
    const id = crypto.randomUUID();
    await writer.write(row(id, 'running', 1, { startedAt: new Date() }));
    await writer.write(row(id, 'pending', 0, { payload: { late: true }, progress: null }));
    // The late submit row moves nothing back, but fills in the payload only it carries.
    expect(await read(id)).toMatchObject({ status: 'running', attempts: 1, payload: { late: true } });
    await writer.write(row(id, 'completed', 1, { result: { ok: 1 } }));
    const stored = await read(id);
    expect(stored?.status).toBe('completed');
    // The completed write did not carry startedAt; the earlier one's value is kept.
    expect(stored?.startedAt).toBeInstanceOf(Date);
    expect(stored?.payload).toEqual({ late: true });
    await writer.close();
  });

  it('keeps one row per task, in the partition of the created_at it was first stored with', async () => {
    const { db } = testDb.database;
    const writer = new TaskRecordWriter({ db });
    const id = crypto.randomUUID();
    const createdAt = new Date(Date.now() - 30 * 86_400_000);
    await writer.write(row(id, 'pending', 0, { createdAt, payload: { n: 1 } }));
    // A later step that (wrongly) says another created_at still moves the one stored row.
    await writer.write(row(id, 'failed', 1, { error: 'boom' }));
    const { rows } = await db.execute<{ status: string }>(sql`select status from tasks where id = ${id}`);
    expect(rows).toEqual([{ status: 'failed' }]);
    const stored = await findTask(db, id);
    expect(stored).toMatchObject({ status: 'failed', payload: { n: 1 }, createdAt });

    // A dead letter takes its task's created_at as partition key; it is stored once.
    const letter = {
      taskId: id,
      name: 'demo.echo',
      queue: 'demo',
      error: 'boom',
      attempts: 1,
      failedAt: new Date(),
    };
    await writer.writeDeadLetter(letter);
    await writer.writeDeadLetter({ ...letter, failedAt: new Date(Date.now() + 1_000) });
    const letters = await db.select().from(deadLetters).where(eq(deadLetters.taskId, id));
    expect(letters.map((stored) => stored.taskCreatedAt)).toEqual([createdAt]);
    await writer.close();
  });

  it('collapses writes of one task that meet in the buffer', async () => {
    const writer = new TaskRecordWriter({ db: testDb.database.db, flushIntervalMs: 1_000 });
    const id = crypto.randomUUID();
    void writer.write(row(id, 'pending', 0, { payload: { a: 1 } }));
    void writer.write(row(id, 'running', 1, { startedAt: new Date() }));
    await writer.flush();
    expect(writer.stats.written).toBe(1);
    expect((await read(id))?.status).toBe('running');
    await writer.close();
  });

  it('keeps rows while the database is away, and counts what the bound drops', async () => {
    const unreachable = createDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', poolSize: 1 });
    const writer = new TaskRecordWriter({ db: unreachable.db, maxBuffered: 5, flushIntervalMs: 10, logger });
    for (let i = 0; i < 8; i += 1) void writer.write(row(crypto.randomUUID(), 'pending', 0));
    await writer.flush();
    expect(writer.stats.dropped).toBe(3);
    expect(writer.stats.buffered).toBe(5);
    expect(writer.stats.failedFlushes).toBeGreaterThan(0);
    await writer.close(200);
    expect(writer.stats.dropped).toBe(8);
    await unreachable.close();
  });

  it('quarantines a row the database refuses and lands every other row of the batch', async () => {
    const writer = new TaskRecordWriter({ db: testDb.database.db, logger });
    const ids = Array.from({ length: 10 }, () => crypto.randomUUID());
    const [badJson, badText] = [ids[3] as string, ids[7] as string];
    await Promise.all(
      ids.map((id) =>
        writer.write(
          row(id, 'pending', 0, {
            // jsonb refuses the \u0000 escape (22P05), text refuses the byte itself (22021).
            payload: id === badJson ? { prompt: 'hi\u0000there' } : { prompt: 'hi' },
            userId: id === badText ? 'mallory\u0000' : 'alice',
          }),
        ),
      ),
    );
    const stored = await testDb.database.db.select().from(tasks).where(inArray(tasks.id, ids));
    expect(stored.map((task) => task.id).sort()).toEqual(
      ids.filter((id) => id !== badJson && id !== badText).sort(),
    );
    expect(writer.stats).toMatchObject({ written: 8, quarantined: 2, failedFlushes: 0, buffered: 0 });
    expect(writer.healthy).toBe(true);
    const quarantined = writer.quarantine();
    expect(quarantined.map((entry) => entry.taskId).sort()).toEqual([badJson, badText].sort());
    for (const entry of quarantined) {
      expect(entry).toMatchObject({
        kind: 'task',
        name: 'demo.echo',
        sqlState: expect.stringMatching(/^22/),
      });
      expect(entry.error).not.toBe('');
    }
    // Nothing is left to retry: later writes land at once.
    const after = crypto.randomUUID();
    await writer.write(row(after, 'pending', 0));
    expect((await read(after))?.status).toBe('pending');
    await writer.close();
  });

  it('quarantines a refused dead letter and stores the others', async () => {
    const writer = new TaskRecordWriter({ db: testDb.database.db, logger });
    const [good, bad] = [crypto.randomUUID(), crypto.randomUUID()];
    const letter = (taskId: string, payload: unknown) => ({
      taskId,
      name: 'demo.echo',
      queue: 'demo',
      userId: 'alice',
      payload,
      error: 'boom',
      attempts: 1,
      failedAt: new Date(),
    });
    await Promise.all([
      writer.write(row(good, 'failed', 1)),
      writer.write(row(bad, 'failed', 1)),
      writer.writeDeadLetter(letter(good, { a: 1 })),
      writer.writeDeadLetter(letter(bad, { a: 'x\u0000' })),
    ]);
    const stored = await testDb.database.db
      .select()
      .from(deadLetters)
      .where(inArray(deadLetters.taskId, [good, bad]));
    expect(stored.map((entry) => entry.taskId)).toEqual([good]);
    expect(writer.quarantine()).toEqual([expect.objectContaining({ kind: 'dead-letter', taskId: bad })]);
    expect(writer.stats.quarantined).toBe(1);
    await writer.close();
  });

  it('strips NUL from what handlers return and throw before storing it', async () => {
    const writer = new TaskRecordWriter({ db: testDb.database.db });
    const [done, failed] = [crypto.randomUUID(), crypto.randomUUID()];
    await writer.write(row(done, 'completed', 1, { result: { 'rep\u0000ly': ['a\u0000b', 1, null] } }));
    await writer.write(
      row(failed, 'failed', 1, { error: 'bad\u0000reply', stackTrace: 'Error: bad\u0000reply\n    at x' }),
    );
    expect((await read(done))?.result).toEqual({ reply: ['ab', 1, null] });
    expect(await read(failed)).toMatchObject({ error: 'badreply', stackTrace: 'Error: badreply\n    at x' });
    expect(writer.stats.quarantined).toBe(0);
    await writer.close();
  });

  it('keeps only the last quarantined rows for inspection, and counts them all', async () => {
    const writer = new TaskRecordWriter({ db: testDb.database.db, quarantineKept: 2, logger });
    const ids = Array.from({ length: 3 }, () => crypto.randomUUID());
    for (const id of ids) await writer.write(row(id, 'pending', 0, { payload: { p: '\u0000' } }));
    expect(writer.stats.quarantined).toBe(3);
    expect(writer.quarantine().map((entry) => entry.taskId)).toEqual(ids.slice(1));
    await writer.close();
  });

  it("adds quarantined rows to the deployment's log in Redis, for alerts and operators", async () => {
    const redis = await createTestRedis('quarantine');
    const log = new QuarantineLog({ connection: redis.redis, prefix: redis.prefix, kept: 2 });
    const added: Array<Promise<void>> = [];
    const writer = new TaskRecordWriter({
      db: testDb.database.db,
      logger,
      onQuarantine: (entry) => added.push(log.add(entry)),
    });
    const ids = Array.from({ length: 3 }, () => crypto.randomUUID());
    for (const id of ids) await writer.write(row(id, 'pending', 0, { payload: { p: '\u0000' } }));
    await Promise.all(added);
    expect(await log.count(60_000)).toBe(2);
    const recent = await log.recent();
    expect(recent.map((entry) => entry.taskId)).toEqual([ids[2], ids[1]]);
    expect(recent[0]?.at).toBeInstanceOf(Date);
    await writer.close();
    await redis.cleanup();
  });
});
