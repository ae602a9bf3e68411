import { deadLetters, eq, tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { taskEventsStream } from '../src/events/channels.js';
import { TaskEventPublisher } from '../src/events/task-event-publisher.js';
import { RECORDS_GROUP, RecordProjector } from '../src/records/record-projector.js';
import { recordVersion } from '../src/records/record-version.js';
import { TaskRecordWriter } from '../src/records/task-record-writer.js';
import { createTestRedis, type TestRedis, waitFor } from '../src/testing.js';
import { logger } from './fixtures.js';

const step = (id: string, status: 'pending' | 'completed', attempt: number) => ({
  event: {
    type: status === 'pending' ? ('submitted' as const) : ('completed' as const),
    taskId: id,
    taskName: 'p.t',
    queue: 'p',
  },
  record: {
    id,
    name: 'p.t',
    queue: 'p',
    status,
    payload: { n: id },
    attempts: attempt,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    ...(status === 'completed' ? { completedAt: new Date(), result: { ok: id } } : {}),
    version: recordVersion(status, attempt),
  },
});

describe('RecordProjector', () => {
  let redis: TestRedis;
  let database: TestDatabase;
  let records: TaskRecordWriter;
  beforeAll(async () => {
    redis = await createTestRedis('projector');
    database = await createTestDatabase('projector');
    records = new TaskRecordWriter({ db: database.database.db, logger });
  });
  afterAll(async () => {
    await records.close();
    await redis.cleanup();
    await database.drop();
  });

  const row = async (id: string) =>
    (await database.database.db.select().from(tasks).where(eq(tasks.id, id)))[0];
  const prefixed = (name: string) => `${redis.prefix}:${name}`;

  it('stores the rows the stream carries, the newest version winning, and acknowledges them', async () => {
    const prefix = prefixed('store');
    const events = new TaskEventPublisher({ connection: redis.redis, prefix });
    const projector = new RecordProjector({ connection: redis.redis, prefix, records, logger, blockMs: 100 });
    await events.append(step('s1', 'pending', 0).event, { record: step('s1', 'pending', 0).record });
    await projector.start();
    const done = step('s1', 'completed', 1);
    await events.append(done.event, {
      record: done.record,
      deadLetter: { taskId: 's1', name: 'p.t', queue: 'p', error: 'x', attempts: 1, failedAt: new Date() },
    });
    await events.append({ type: 'progress', taskId: 's1', taskName: 'p.t', queue: 'p' });
    const stored = await waitFor(async () =>
      (await row('s1'))?.status === 'completed' ? row('s1') : undefined,
    );
    expect(stored).toMatchObject({
      attempts: 1,
      result: { ok: 's1' },
      createdAt: new Date('2026-01-01T00:00:00Z'),
    });
    expect(stored?.completedAt).toBeInstanceOf(Date);
    const letter = await database.database.db.select().from(deadLetters).where(eq(deadLetters.taskId, 's1'));
    expect(letter[0]?.failedAt).toBeInstanceOf(Date);
    await waitFor(async () =>
      (await redis.redis.xpending(taskEventsStream(prefix), RECORDS_GROUP))[0] === 0 ? true : undefined,
    );
    await projector.close();
    expect(projector.stats.projected).toBe(3);
  });

  it('takes over the entries of a projector that died before storing them', async () => {
    const prefix = prefixed('takeover');
    const events = new TaskEventPublisher({ connection: redis.redis, prefix });
    const stream = taskEventsStream(prefix);
    await redis.redis.xgroup('CREATE', stream, RECORDS_GROUP, '0', 'MKSTREAM');
    for (const id of ['d1', 'd2', 'd3'])
      await events.append(step(id, 'completed', 1).event, { record: step(id, 'completed', 1).record });
    // A projector reads them and is killed before it stores or acknowledges anything.
    await redis.redis.xreadgroup('GROUP', RECORDS_GROUP, 'dead', 'COUNT', 10, 'STREAMS', stream, '>');
    const survivor = new RecordProjector({
      connection: redis.redis,
      prefix,
      records,
      logger,
      blockMs: 100,
      claimIdleMs: 300,
    });
    await survivor.start();
    for (const id of ['d1', 'd2', 'd3']) {
      await waitFor(async () => ((await row(id))?.status === 'completed' ? true : undefined), {
        what: `${id} taken over`,
      });
    }
    await survivor.close();
    expect((await redis.redis.xpending(stream, RECORDS_GROUP))[0]).toBe(0);
  });

  it('trims what it stored, and reports entries the length cap trimmed before they were stored', async () => {
    const prefix = prefixed('loss');
    const stream = taskEventsStream(prefix);
    const capped = new TaskEventPublisher({ connection: redis.redis, prefix, eventsKept: 10 });
    await redis.redis.xgroup('CREATE', stream, RECORDS_GROUP, '0', 'MKSTREAM');
    for (let i = 0; i < 300; i++)
      await capped.append(step(`l${i}`, 'pending', 0).event, { record: step(`l${i}`, 'pending', 0).record });
    const projector = new RecordProjector({
      connection: redis.redis,
      prefix,
      records,
      logger,
      blockMs: 100,
      retainMs: 1,
    });
    await projector.start();
    await waitFor(async () => ((await row('l299'))?.status === 'pending' ? true : undefined), {
      what: 'the newest row',
    });
    expect(projector.stats.lost).toBe(300 - (await redis.redis.xlen(stream)));
    expect(projector.stats.lost).toBeGreaterThan(0);
    expect(await row('l0')).toBeUndefined();
    await projector.close();
    // Kept for resuming readers no longer than retainMs: the next pass trims everything projected.
    const again = new RecordProjector({
      connection: redis.redis,
      prefix,
      records,
      logger,
      blockMs: 100,
      retainMs: 1,
    });
    await again.start();
    // The last projected entry stays: it is the group's position.
    await waitFor(async () => ((await redis.redis.xlen(stream)) === 1 ? true : undefined), {
      what: 'the trim',
    });
    await again.close();
    expect(again.stats.lost).toBe(0);
  });

  it('stores a task that ends within the hold as one row, and a lone pending row once the hold passed', async () => {
    const prefix = prefixed('hold');
    const stream = taskEventsStream(prefix);
    const events = new TaskEventPublisher({ connection: redis.redis, prefix });
    const own = new TaskRecordWriter({ db: database.database.db, logger });
    const projector = new RecordProjector({
      connection: redis.redis,
      prefix,
      records: own,
      logger,
      blockMs: 50,
      holdPendingMs: 1_000,
    });
    await projector.start();
    await events.append(step('h1', 'pending', 0).event, { record: step('h1', 'pending', 0).record });
    await events.append(step('h2', 'pending', 0).event, { record: step('h2', 'pending', 0).record });
    // h1 ends while its pending row is held; h2 never runs.
    await waitFor(async () =>
      (await redis.redis.xpending(stream, RECORDS_GROUP))[0] === 2 ? true : undefined,
    );
    await events.append(step('h1', 'completed', 1).event, { record: step('h1', 'completed', 1).record });
    await waitFor(async () => ((await row('h1'))?.status === 'completed' ? true : undefined), { what: 'h1' });
    expect(await row('h1')).toMatchObject({ payload: { n: 'h1' }, result: { ok: 'h1' } });
    const h2 = await waitFor(async () => row('h2'), { what: 'h2 after the hold' });
    expect(h2.status).toBe('pending');
    await waitFor(async () =>
      (await redis.redis.xpending(stream, RECORDS_GROUP))[0] === 0 ? true : undefined,
    );
    await projector.close();
    await own.close();
    // Two rows for two tasks: h1's pending and completed steps landed as one.
    expect(own.stats.written).toBe(2);
    expect(projector.stats.projected).toBe(3);
  });

  it('stores the rows it holds when it closes', async () => {
    const prefix = prefixed('hold-close');
    const stream = taskEventsStream(prefix);
    const events = new TaskEventPublisher({ connection: redis.redis, prefix });
    const projector = new RecordProjector({
      connection: redis.redis,
      prefix,
      records,
      logger,
      blockMs: 50,
      holdPendingMs: 600_000,
    });
    await projector.start();
    await events.append(step('c1', 'pending', 0).event, { record: step('c1', 'pending', 0).record });
    await waitFor(async () =>
      (await redis.redis.xpending(stream, RECORDS_GROUP))[0] === 1 ? true : undefined,
    );
    expect(await row('c1')).toBeUndefined();
    await projector.close();
    expect((await row('c1'))?.status).toBe('pending');
    expect((await redis.redis.xpending(stream, RECORDS_GROUP))[0]).toBe(0);
  });
});
