import { createDatabase, eq, type NewTaskRecord, tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { recordVersion } from '../src/records/record-version.js';
import { TaskRecordWriter } from '../src/records/task-record-writer.js';
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
    await writer.write(row(id, 'pending', 0, { payload: { late: true } }));
    expect((await read(id))?.status).toBe('running');
    await writer.write(row(id, 'completed', 1, { result: { ok: 1 } }));
    const stored = await read(id);
    expect(stored?.status).toBe('completed');
    // The completed write did not carry startedAt; the earlier one's value is kept.
    expect(stored?.startedAt).toBeInstanceOf(Date);
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
});
