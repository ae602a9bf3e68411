import { taskEventsStream } from '../src/events/channels.js';
import type { TaskEvent } from '../src/events/task-event.js';
import { TaskEventPublisher } from '../src/events/task-event-publisher.js';
import { TaskEventSubscriber } from '../src/events/task-event-subscriber.js';
import { createTestRedis, type TestRedis, waitFor } from '../src/testing.js';

describe('task event stream', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await createTestRedis('events');
  });
  afterAll(() => redis.cleanup());

  it('keeps each published event, with its user, in a capped stream as well as on pub/sub', async () => {
    const publisher = new TaskEventPublisher({
      connection: redis.redis,
      prefix: redis.prefix,
      eventsKept: 5,
    });
    const subscriber = new TaskEventSubscriber({ connection: redis.redis, prefix: redis.prefix });
    const live: TaskEvent[] = [];
    await subscriber.subscribe((event) => live.push(event));
    for (let i = 0; i < 200; i++) {
      publisher.publish({
        type: 'progress',
        taskId: `t${i}`,
        taskName: 'x.y',
        queue: 'q',
        userId: 'alice',
        percent: i % 100,
      });
    }
    await waitFor(() => (live.length === 200 ? true : undefined), { what: 'live events' });
    await subscriber.close();
    const entries = await redis.redis.xrange(taskEventsStream(redis.prefix), '-', '+');
    // MAXLEN ~ trims whole nodes: about the cap is kept, never everything.
    expect(entries.length).toBeGreaterThanOrEqual(5);
    expect(entries.length).toBeLessThan(200);
    const last = JSON.parse(entries.at(-1)?.[1][1] ?? '{}') as TaskEvent;
    expect(last).toMatchObject({ type: 'progress', taskId: 't199', userId: 'alice', percent: 99 });
  });
});
