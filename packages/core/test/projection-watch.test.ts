import { Writable } from 'node:stream';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { createLogger } from '@foreman/logger';
import { TaskEventPublisher } from '../src/events/task-event-publisher.js';
import { ProjectionWatch } from '../src/records/projection-watch.js';
import { RecordProjector } from '../src/records/record-projector.js';
import { recordVersion } from '../src/records/record-version.js';
import { TaskRecordWriter } from '../src/records/task-record-writer.js';
import { createTestRedis, type TestRedis, waitFor } from '../src/testing.js';
import { logger } from './fixtures.js';

const submitted = (id: string) => ({
  event: { type: 'submitted' as const, taskId: id, taskName: 'w.t', queue: 'w' },
  record: {
    id,
    name: 'w.t',
    queue: 'w',
    status: 'pending' as const,
    payload: {},
    attempts: 0,
    createdAt: new Date(),
    version: recordVersion('pending', 0),
  },
});

describe('ProjectionWatch', () => {
  let redis: TestRedis;
  let database: TestDatabase;
  let records: TaskRecordWriter;
  beforeAll(async () => {
    redis = await createTestRedis('projection-watch');
    database = await createTestDatabase('projection_watch');
    records = new TaskRecordWriter({ db: database.database.db, logger });
  });
  afterAll(async () => {
    await records.close();
    await redis.cleanup();
    await database.drop();
  });

  const append = async (events: TaskEventPublisher, id: string) => {
    const step = submitted(id);
    await events.append(step.event, { record: step.record });
  };

  it('finds records stalled while no projector reads, and stored while one does', async () => {
    const prefix = `${redis.prefix}:stall`;
    const events = new TaskEventPublisher({ connection: redis.redis, prefix });
    const watch = new ProjectionWatch({ connection: redis.redis, prefix, logger, idleMs: 300 });
    expect(await watch.check()).toEqual({ kind: 'stored' });

    await append(events, 'a');
    await append(events, 'b');
    expect(await watch.check()).toEqual({ kind: 'stalled', unstored: 2, idleMs: null });

    const projector = new RecordProjector({ connection: redis.redis, prefix, records, logger, blockMs: 100 });
    await projector.start();
    await waitFor(async () => ((await projector.lag()) === 0 ? true : undefined));
    await append(events, 'c');
    // Reading every 100 ms: whatever waits is about to be stored.
    expect((await watch.check()).kind).toBe('stored');
    await waitFor(async () => ((await projector.lag()) === 0 ? true : undefined));
    await projector.close();

    await append(events, 'd');
    await new Promise((resolve) => setTimeout(resolve, 400));
    const stalled = await watch.check();
    expect(stalled).toMatchObject({ kind: 'stalled', unstored: 1 });
    expect(stalled.kind === 'stalled' && stalled.idleMs).toBeGreaterThanOrEqual(300);
  });

  it('logs an error at every check while the records are stalled', async () => {
    const prefix = `${redis.prefix}:log`;
    const lines: Array<{ level: number; msg: string; unstored?: number }> = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const watched = createLogger('watch-test', { destination });
    const events = new TaskEventPublisher({ connection: redis.redis, prefix });
    await append(events, 'x');
    const watch = new ProjectionWatch({ connection: redis.redis, prefix, logger: watched, everyMs: 50 });
    watch.start();
    try {
      await waitFor(() =>
        lines.filter((line) => line.msg.includes('not being stored')).length >= 2 ? true : undefined,
      );
    } finally {
      watch.close();
    }
    const errors = lines.filter((line) => line.msg.includes('not being stored'));
    expect(errors[0]).toMatchObject({ level: 50, unstored: 1 });
    expect(errors[0]!.msg).toContain('RECORD_PROJECTOR=true');
  });

  it('refuses a check interval that is not a whole number', () => {
    expect(() => new ProjectionWatch({ connection: redis.redis, prefix: 'p', logger, everyMs: 0.5 })).toThrow(
      /everyMs/,
    );
  });
});
