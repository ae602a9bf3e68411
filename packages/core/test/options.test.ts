import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { TaskClient } from '../src/client/task-client.js';
import { InvalidOptionError } from '../src/errors/invalid-option-error.js';
import { TaskEventPublisher } from '../src/events/task-event-publisher.js';
import { FairScheduler } from '../src/fairness/fair-scheduler.js';
import { RecordProjector } from '../src/records/record-projector.js';
import { TaskRecordWriter } from '../src/records/task-record-writer.js';
import { TaskRegistry } from '../src/task/task-registry.js';
import { createTestRedis, type TestRedis } from '../src/testing.js';
import { TaskWorker } from '../src/worker/task-worker.js';
import { echo, logger } from './fixtures.js';

/** The error a constructor throws for one bad option, for a readable comparison. */
function refusal(build: () => unknown) {
  try {
    build();
  } catch (error) {
    if (!(error instanceof InvalidOptionError)) throw error;
    return { code: error.code, component: error.component, option: error.option, message: error.message };
  }
  throw new Error('the constructor accepted it');
}

describe('options are checked when a component is built', () => {
  let redis: TestRedis;
  let database: TestDatabase;
  beforeAll(async () => {
    redis = await createTestRedis('options');
    database = await createTestDatabase('options');
  });
  afterAll(async () => {
    await redis.cleanup();
    await database.drop();
  });

  const connection = () => ({ connection: redis.redis, prefix: redis.prefix });
  const records = () => new TaskRecordWriter({ db: database.database.db });
  const worker = (options: Partial<ConstructorParameters<typeof TaskWorker>[0]>) =>
    new TaskWorker({
      ...connection(),
      queue: echo.queue,
      tasks: [],
      events: new TaskEventPublisher(connection()),
      records: records(),
      logger,
      ...options,
    });

  it.each([
    ['TaskWorker', 'concurrency', -1, () => worker({ concurrency: -1 })],
    ['TaskWorker', 'concurrency', 0, () => worker({ concurrency: 0 })],
    ['TaskWorker', 'lockDurationMs', 1.5, () => worker({ lockDurationMs: 1.5 })],
    ['TaskWorker', 'maxStalledCount', -1, () => worker({ maxStalledCount: -1 })],
    [
      'TaskClient',
      'maxPayloadBytes',
      0,
      () => new TaskClient({ ...connection(), registry: new TaskRegistry(), maxPayloadBytes: 0 }),
    ],
    [
      'TaskClient',
      'idempotencyWindowMs',
      Number.NaN,
      () =>
        new TaskClient({ ...connection(), registry: new TaskRegistry(), idempotencyWindowMs: Number.NaN }),
    ],
    [
      'TaskRecordWriter',
      'maxBatch',
      2.5,
      () => new TaskRecordWriter({ db: database.database.db, maxBatch: 2.5 }),
    ],
    [
      'TaskRecordWriter',
      'flushIntervalMs',
      -10,
      () => new TaskRecordWriter({ db: database.database.db, flushIntervalMs: -10 }),
    ],
    [
      'TaskRecordWriter',
      'quarantineKept',
      -1,
      () => new TaskRecordWriter({ db: database.database.db, quarantineKept: -1 }),
    ],
    [
      'RecordProjector',
      'batchSize',
      0,
      () => new RecordProjector({ ...connection(), records: records(), batchSize: 0 }),
    ],
    [
      'RecordProjector',
      'retainMs',
      0.5,
      () => new RecordProjector({ ...connection(), records: records(), retainMs: 0.5 }),
    ],
    ['TaskEventPublisher', 'eventsKept', 0, () => new TaskEventPublisher({ ...connection(), eventsKept: 0 })],
    [
      'FairScheduler',
      'recoverAfterMs',
      -5,
      () => new FairScheduler({ ...connection(), settings: {}, recoverAfterMs: -5 }),
    ],
  ])('%s refuses %s = %p, naming it', (component, option, value, build) => {
    expect(refusal(build)).toEqual({
      code: 'OPTION_INVALID',
      component,
      option,
      message: expect.stringContaining(`${component}: option "${option}" must be a whole number`),
    });
    expect(refusal(build).message).toContain(`(got ${value})`);
  });

  it('accepts the lower bounds: 0 where none is a setting, 1 elsewhere', async () => {
    const built = worker({ concurrency: 1, maxStalledCount: 0 });
    await built.close();
    await new TaskRecordWriter({ db: database.database.db, quarantineKept: 0, maxBatch: 1 }).close();
  });
});
