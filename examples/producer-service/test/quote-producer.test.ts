import { implementTask, TaskEventPublisher, TaskRecordWriter, TaskWorker } from '@foreman/core';
import { createTestRedis, type TestRedis } from '@foreman/core/testing';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { createLogger } from '@foreman/logger';
import { priceQuote, QuoteProducer } from '../src/index.js';

// The worker side lives in another service; here it runs in-process against the same Redis.
const logger = createLogger('producer-example', { level: 'silent' });

describe('a producer service', () => {
  let redis: TestRedis;
  let database: TestDatabase;
  let worker: TaskWorker;
  let producer: QuoteProducer;

  beforeAll(async () => {
    redis = await createTestRedis('producer_example');
    database = await createTestDatabase('producer_example');
    worker = new TaskWorker({
      queue: priceQuote.queue,
      tasks: [
        implementTask(priceQuote, ({ items }) => ({
          totalCents: items.reduce((sum, item) => sum + item.cents * item.quantity, 0),
          lines: items.length,
        })),
      ],
      connection: redis.redis,
      prefix: redis.prefix,
      events: new TaskEventPublisher({ connection: redis.redis, prefix: redis.prefix, logger }),
      records: new TaskRecordWriter({ db: database.database.db, logger }),
      logger,
    });
    await worker.start();
    producer = new QuoteProducer({ redisUrl: redis.url, prefix: redis.prefix });
  });
  afterAll(async () => {
    await producer.close();
    await worker.close();
    await redis.cleanup();
    await database.drop();
  });

  it('submits through the producer entry and gets the typed result from a real worker', async () => {
    const handle = await producer.submit([
      { sku: 'pen', cents: 150, quantity: 3 },
      { sku: 'pad', cents: 400 },
    ]);
    const result: { totalCents: number; lines: number } = await handle.result();
    expect(result).toEqual({ totalCents: 850, lines: 2 });
    expect(handle).toMatchObject({ name: 'quotes.price', queue: 'quotes' });
  });

  it('refuses a wrong payload at compile time and at run time', async () => {
    // @ts-expect-error: `cents` must be a number; `typecheck` fails if this line ever compiles.
    const wrong = producer.tasks.submit(priceQuote, { items: [{ sku: 'pen', cents: 'lots' }] });
    await expect(wrong).rejects.toMatchObject({ code: 'PAYLOAD_INVALID' });
  });
});
