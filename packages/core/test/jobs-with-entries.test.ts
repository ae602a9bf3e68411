import type { Job } from 'bullmq';
import { z } from 'zod';
import { JobsWithEntries } from '../src/client/jobs-with-entries.js';
import { TaskClient } from '../src/client/task-client.js';
import { taskEventsStream } from '../src/events/channels.js';
import { TaskEventPublisher } from '../src/events/task-event-publisher.js';
import { defineTask } from '../src/task/define-task.js';
import { TaskRegistry } from '../src/task/task-registry.js';
import { createTestRedis, type TestRedis } from '../src/testing.js';

/** Stands for a BullMQ job: its add script call goes through `runCommand`, its answer is checked. */
const fakeJob = (script: string, args: string[]) =>
  ({
    addJob: async (client: { runCommand(name: string, args: string[]): Promise<unknown> }) => {
      const answer = await client.runCommand(script, args);
      if (typeof answer === 'number' && answer < 0) throw new Error(`add failed: ${answer}`);
      return answer;
    },
  }) as unknown as Job;

const entry = (taskId: string) => ({
  event: { type: 'submitted' as const, taskId, taskName: 'x.y', queue: 'q' },
});

describe('jobs with their entries in one script call', () => {
  let redis: TestRedis;
  let publisher: TaskEventPublisher;
  let withEntries: JobsWithEntries;
  const key = (name: string) => `${redis.prefix}:${name}`;
  const streamIds = async (prefix: string) =>
    (await redis.redis.xrange(taskEventsStream(prefix), '-', '+')).map(
      ([, fields]) => JSON.parse(fields[1] ?? '{}').taskId,
    );

  beforeAll(async () => {
    redis = await createTestRedis('with-entries');
    publisher = new TaskEventPublisher({ connection: redis.redis, prefix: redis.prefix });
    withEntries = new JobsWithEntries(redis.redis, publisher);
    // Two stand-ins for BullMQ's add scripts, with different key and argument counts. Each records
    // what it saw: its own keys and arguments only, as if it were called alone.
    redis.redis.defineCommand('fakeAddOne:1', {
      numberOfKeys: 1,
      lua: `if ARGV[1] == 'fail' then return -5 end
redis.call('SET', KEYS[1], #KEYS .. ' ' .. #ARGV .. ' ' .. ARGV[1])
return ARGV[1]`,
    });
    redis.redis.defineCommand('fakeAddTwo:1', {
      numberOfKeys: 2,
      lua: `redis.call('SET', KEYS[1], #KEYS .. ' ' .. #ARGV .. ' ' .. ARGV[1] .. ARGV[2])
redis.call('SET', KEYS[2], 'second key')
return ARGV[1]`,
    });
  });
  afterAll(() => redis.cleanup());

  it("runs each job's script with its own keys and arguments, then appends the entries in order", async () => {
    await withEntries.add(
      [
        fakeJob('fakeAddOne:1', [key('a'), 'a']),
        fakeJob('fakeAddTwo:1', [key('b'), key('b2'), 'b', '!']),
        fakeJob('fakeAddOne:1', [key('c'), 'c']),
      ],
      [entry('a'), entry('b'), entry('c')],
    );
    expect(await redis.redis.mget(key('a'), key('b'), key('b2'), key('c'))).toEqual([
      '1 1 a',
      '2 2 b!',
      'second key',
      '1 1 c',
    ]);
    expect(await streamIds(redis.prefix)).toEqual(['a', 'b', 'c']);
  });

  it('appends nothing and throws when a script answers an error code', async () => {
    const before = await streamIds(redis.prefix);
    await expect(
      withEntries.add(
        [fakeJob('fakeAddOne:1', [key('fail'), 'fail']), fakeJob('fakeAddOne:1', [key('after'), 'after'])],
        [entry('fail'), entry('after')],
      ),
    ).rejects.toThrow('add failed: -5');
    // The call ends at the error: the job after it is not added either.
    expect(await redis.redis.exists(key('after'))).toBe(0);
    // A lone job goes without the loop, and appends nothing on an error code too.
    await expect(
      withEntries.add([fakeJob('fakeAddOne:1', [key('fail'), 'fail'])], [entry('fail')]),
    ).rejects.toThrow('add failed: -5');
    expect(await streamIds(redis.prefix)).toEqual(before);
  });

  it('submits a bulk over two queues, delayed, prioritized and plain, as one command', async () => {
    const prefix = `${redis.prefix}:bulk`;
    const plain = defineTask({ name: 'bulk.plain', queue: 'bulk-a', payload: z.object({ n: z.number() }) });
    const other = defineTask({ name: 'bulk.other', queue: 'bulk-b', payload: z.object({ n: z.number() }) });
    const events = new TaskEventPublisher({ connection: redis.redis, prefix });
    const client = new TaskClient({
      registry: new TaskRegistry([plain, other]),
      connection: redis.redis,
      prefix,
      events,
    });
    try {
      // Thousands of jobs: their arguments must not travel as spread function arguments.
      const many = Array.from({ length: 5_000 }, (_, n) => ({ name: 'bulk.plain', payload: { n } }));
      const submitted = await client.submitBulk([
        ...many,
        { name: 'bulk.plain', payload: { n: -1 }, options: { delayMs: 60_000 } },
        { name: 'bulk.other', payload: { n: -2 }, options: { priority: 3 } },
        { name: 'bulk.other', payload: { n: -3 } },
      ]);
      expect(await client.queue('bulk-a').getJobCounts('waiting', 'delayed')).toEqual({
        waiting: 5_000,
        delayed: 1,
      });
      expect(await client.queue('bulk-b').getJobCounts('waiting', 'prioritized')).toEqual({
        waiting: 1,
        prioritized: 1,
      });
      const prioritized = await client.findJob(submitted.at(-2)!.taskId);
      expect(prioritized.opts.priority).toBe(3);
      expect(prioritized.data.payload).toEqual({ n: -2 });
      expect(await streamIds(prefix)).toEqual(submitted.map((task) => task.taskId));
      const [, fields] = (await redis.redis.xrange(taskEventsStream(prefix), '-', '+', 'COUNT', 1))[0]!;
      expect(JSON.parse(fields[3] ?? '{}')).toMatchObject({
        id: submitted[0]!.taskId,
        status: 'pending',
        payload: { n: 0 },
        priority: 0,
      });
    } finally {
      await client.close();
    }
  }, 30_000);
});
