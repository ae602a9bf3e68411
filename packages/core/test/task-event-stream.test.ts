import { taskEventsStream } from '../src/events/channels.js';
import type { TaskEvent } from '../src/events/task-event.js';
import { appendingAfter, TaskEventPublisher } from '../src/events/task-event-publisher.js';
import { TaskEventSubscriber } from '../src/events/task-event-subscriber.js';
import { duplicateRedis } from '../src/redis/create-redis.js';
import { createTestRedis, type TestRedis, waitFor } from '../src/testing.js';

describe('task event stream', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await createTestRedis('events');
  });
  afterAll(() => redis.cleanup());

  it('delivers every event appended after subscribe, in order, to a subscriber reading the stream', async () => {
    const publisher = new TaskEventPublisher({ connection: redis.redis, prefix: redis.prefix });
    const subscriber = new TaskEventSubscriber({ connection: redis.redis, prefix: redis.prefix });
    publisher.publish({ type: 'submitted', taskId: 'before', taskName: 'x.y', queue: 'q' });
    await waitFor(async () =>
      (await redis.redis.xlen(taskEventsStream(redis.prefix))) === 1 ? true : undefined,
    );
    const live: TaskEvent[] = [];
    const only: TaskEvent[] = [];
    await subscriber.subscribe((event) => live.push(event));
    await subscriber.subscribe((event) => only.push(event), { taskId: 't7' });
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
    expect(live.map((event) => event.taskId)).toEqual(Array.from({ length: 200 }, (_, i) => `t${i}`));
    expect(only).toEqual([expect.objectContaining({ taskId: 't7', userId: 'alice', percent: 7 })]);
  });

  it('keeps about the cap of events in the stream, the newest last', async () => {
    const publisher = new TaskEventPublisher({
      connection: redis.redis,
      prefix: `${redis.prefix}:capped`,
      eventsKept: 5,
    });
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
    const stream = taskEventsStream(`${redis.prefix}:capped`);
    const entries = await waitFor(async () => {
      const all = await redis.redis.xrange(stream, '-', '+');
      return all.at(-1)?.[1][1]?.includes('"t199"') ? all : undefined;
    });
    // MAXLEN ~ trims whole nodes: about the cap is kept, never everything.
    expect(entries.length).toBeGreaterThanOrEqual(5);
    expect(entries.length).toBeLessThan(200);
    expect(JSON.parse(entries.at(-1)?.[1][1] ?? '{}')).toMatchObject({
      type: 'progress',
      taskId: 't199',
      percent: 99,
    });
  });

  it('stores only the newest row of a task whose steps land in one turn, and folds its start into its end', async () => {
    const prefix = `${redis.prefix}:steps`;
    const publisher = new TaskEventPublisher({ connection: redis.redis, prefix });
    const event = { taskId: 'quick', taskName: 'x.y', queue: 'q' };
    const row = { id: 'quick', name: 'x.y', queue: 'q', createdAt: new Date() };
    await Promise.all([
      publisher.append(
        { ...event, type: 'submitted' },
        { record: { ...row, status: 'pending', version: 10, payload: {} } },
      ),
      publisher.append({ ...event, type: 'started' }, { record: { ...row, status: 'running', version: 11 } }),
      publisher.append(
        { ...event, type: 'progress' },
        { record: { ...row, status: 'running', version: 11, progress: 50 } },
      ),
      publisher.append(
        { ...event, type: 'completed' },
        { record: { ...row, status: 'completed', version: 13 } },
      ),
      publisher.append(
        { ...event, taskId: 'other', type: 'started' },
        { record: { ...row, id: 'other', status: 'running', version: 11 } },
      ),
    ]);
    const entries = await redis.redis.xrange(taskEventsStream(prefix), '-', '+');
    const steps = entries.map(([, fields]) => {
      const at = (name: string) => fields[fields.indexOf(name) + 1];
      return {
        type: JSON.parse(at('event') ?? '{}').type,
        status: fields.includes('record') ? JSON.parse(at('record') ?? '{}').status : undefined,
      };
    });
    expect(steps).toEqual([
      // Kept: it carries the payload, which worker rows do not.
      { type: 'submitted', status: 'pending' },
      // Its start is said by its end, in the same turn: no entry of its own.
      { type: 'progress', status: undefined },
      { type: 'completed', status: 'completed' },
      { type: 'started', status: 'running' },
    ]);
  });

  it('stamps an event without a time with the append, and carries its rows as given', async () => {
    const prefix = `${redis.prefix}:fields`;
    const publisher = new TaskEventPublisher({ connection: redis.redis, prefix });
    const event = { taskName: 'x.y', queue: 'q', userId: undefined, attempt: 1 };
    const createdAt = new Date('2026-01-02T03:04:05.006Z');
    const row = { name: 'x.y', queue: 'q', createdAt, userId: null, result: { n: 1 } };
    const letter = {
      taskId: 'bad',
      name: 'x.y',
      queue: 'q',
      payload: { a: 1 },
      error: 'e',
      attempts: 1,
      failedAt: createdAt,
    };
    const before = Date.now();
    await Promise.all([
      publisher.append({ ...event, type: 'started', taskId: 'lone' }),
      publisher.append(
        { ...event, type: 'completed', taskId: 'done' },
        { record: { ...row, id: 'done', status: 'completed', version: 13 } },
      ),
      publisher.append(
        { ...event, type: 'failed', taskId: 'bad', at: '2026-01-01T00:00:00.000Z' },
        { record: { ...row, id: 'bad', status: 'failed', version: 13 }, deadLetter: letter },
      ),
    ]);
    const entries = await redis.redis.xrange(taskEventsStream(prefix), '-', '+');
    expect(entries.map(([, fields]) => fields.filter((_, index) => index % 2 === 0))).toEqual([
      ['event'],
      ['event', 'record'],
      ['event', 'record', 'deadLetter'],
    ]);
    const [lone, done, bad] = entries.map(([, fields]) => fields.filter((_, index) => index % 2 === 1));
    const stamped = JSON.parse(lone?.[0] ?? '{}');
    expect(stamped).toEqual({
      taskName: 'x.y',
      queue: 'q',
      attempt: 1,
      type: 'started',
      taskId: 'lone',
      at: expect.any(String),
    });
    expect(Date.parse(stamped.at)).toBeGreaterThanOrEqual(before - 1);
    expect(JSON.parse(done?.[0] ?? '{}').at).toBe(stamped.at);
    expect(JSON.parse(done?.[1] ?? '{}')).toEqual({
      ...row,
      createdAt: createdAt.toISOString(),
      id: 'done',
      status: 'completed',
      version: 13,
    });
    expect(JSON.parse(bad?.[0] ?? '{}').at).toBe('2026-01-01T00:00:00.000Z');
    expect(JSON.parse(bad?.[2] ?? '{}')).toEqual({ ...letter, failedAt: createdAt.toISOString() });
  });

  it("appends a transaction's entries in one call, on another connection's transaction too", async () => {
    const prefix = `${redis.prefix}:multi`;
    const publisher = new TaskEventPublisher({ connection: redis.redis, prefix });
    const other = duplicateRedis(redis.redis);
    try {
      for (const connection of [redis.redis, other]) {
        const transaction = connection.multi();
        transaction.set(`${prefix}:marker`, '1');
        publisher.appendTo(
          transaction,
          ['a', 'b'].map((taskId) => ({
            event: { type: 'submitted' as const, taskId, taskName: 'x.y', queue: 'q' },
          })),
        );
        const replies = await transaction.exec();
        expect(replies?.every(([error]: [Error | null, unknown]) => error === null)).toBe(true);
      }
    } finally {
      other.disconnect();
    }
    const entries = await redis.redis.xrange(taskEventsStream(prefix), '-', '+');
    expect(entries.map(([, fields]) => JSON.parse(fields[1] ?? '{}').taskId)).toEqual(['a', 'b', 'a', 'b']);
  });

  it('appends the entries a wrapped script is given after it ran, unless it answers an error code', async () => {
    const prefix = `${redis.prefix}:wrapped`;
    const publisher = new TaskEventPublisher({ connection: redis.redis, prefix });
    // Stands for BullMQ's add script: answers what it sees, or the error code it is given.
    redis.redis.defineCommand('wrappedAdd', {
      lua: appendingAfter(`
if ARGV[2] then return tonumber(ARGV[2]) end
redis.call('SET', KEYS[1], ARGV[1])
return #KEYS .. ' keys, ' .. #ARGV .. ' argument: ' .. ARGV[1]`),
    });
    const add = (taskId: string, ...args: string[]) =>
      (redis.redis as unknown as Record<string, (...args: Array<string | number>) => Promise<unknown>>)
        .wrappedAdd!(
        2,
        `${prefix}:job:${taskId}`,
        publisher.streamKey,
        taskId,
        ...args,
        ...publisher.trailingArgs([{ event: { type: 'submitted', taskId, taskName: 'x.y', queue: 'q' } }]),
      );
    // The script sees only its own keys and arguments.
    expect(await add('a')).toBe('1 keys, 1 argument: a');
    expect(await add('b', '-1')).toBe(-1);
    expect(await redis.redis.get(`${prefix}:job:a`)).toBe('a');
    const entries = await redis.redis.xrange(taskEventsStream(prefix), '-', '+');
    expect(entries.map(([, fields]) => JSON.parse(fields[1] ?? '{}').taskId)).toEqual(['a']);
  });
});
