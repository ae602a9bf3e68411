import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, tasks } from '@foreman/db';
import { z } from 'zod';
import { userSubmitter } from '../src/client/submitter.js';
import { PayloadValidationError } from '../src/errors/payload-validation-error.js';
import { UnknownTaskError } from '../src/errors/unknown-task-error.js';
import { defineTask } from '../src/task/define-task.js';
import { implementTask } from '../src/task/implement-task.js';
import { echo, harness } from './fixtures.js';

let flakyCalls = 0;
const flaky = defineTask({
  name: 'demo.flaky',
  queue: 'demo',
  payload: z.object({}),
  retry: { attempts: 3, delayMs: 10, jitter: 0 },
});
const throwsString = defineTask({
  name: 'demo.throws_string',
  queue: 'demo',
  payload: z.object({}),
  retry: { attempts: 1 },
});
const badResult = defineTask({
  name: 'demo.bad_result',
  queue: 'demo',
  payload: z.object({}),
  retry: { attempts: 2 },
});
const slow = defineTask({
  name: 'demo.slow',
  queue: 'demo',
  payload: z.object({}),
  timeoutMs: 100,
  retry: { attempts: 1 },
});

/** Says what its handler was given, taken apart as handlers do. */
const introspect = defineTask({
  name: 'demo.introspect',
  queue: 'demo',
  payload: z.object({}),
  result: z.object({
    taskId: z.string(),
    taskName: z.string(),
    queue: z.string(),
    attempt: z.number(),
    maxAttempts: z.number(),
    userId: z.string().nullable(),
    workflow: z.boolean(),
    aborted: z.boolean(),
    logs: z.boolean(),
    keys: z.array(z.string()),
  }),
  retry: { attempts: 2 },
});

/** Fails the way its payload says, each a failure no retry can cure. */
const doomed = defineTask({
  name: 'demo.doomed',
  queue: 'demo',
  payload: z.object({ how: z.enum(['missing-file', 'unknown-host', 'bad-url']) }),
  retry: { attempts: 3, delayMs: 10, jitter: 0 },
});

const implementations = [
  implementTask(echo, async ({ text }, context) => {
    await context.progress(50, 'half way');
    return { text: text.toUpperCase() };
  }),
  implementTask(flaky, async () => {
    flakyCalls += 1;
    if (flakyCalls < 3) throw new Error(`flaky failure ${flakyCalls}`);
    return { calls: flakyCalls };
  }),
  implementTask(throwsString, async () => {
    throw 'a plain string';
  }),
  implementTask(badResult, async () => ({ when: 10n })),
  implementTask(doomed, async ({ how }) => {
    if (how === 'missing-file') await readFile(join(tmpdir(), `foreman-missing-${Date.now()}`, 'x.txt'));
    else await fetch(how === 'unknown-host' ? 'http://does-not-exist.invalid/' : 'not a url');
    return {};
  }),
  implementTask(introspect, async (_payload, context) => {
    const { taskId, taskName, queue, attempt, maxAttempts, userId, workflow, signal, logger, progress } =
      context;
    await progress(30, 'a third');
    return {
      taskId,
      taskName,
      queue,
      attempt,
      maxAttempts,
      userId: userId ?? null,
      workflow: workflow !== undefined,
      aborted: signal.aborted,
      logs: typeof logger.info === 'function',
      keys: Object.keys(context).sort(),
    };
  }),
  // Ignores its abort signal on purpose: the hard limit must still free the slot.
  implementTask(slow, () => new Promise(() => {})),
];

describe('TaskWorker with real Redis and PostgreSQL', () => {
  let h: Awaited<ReturnType<typeof harness>>;
  const events: string[] = [];
  const ordered: string[] = [];
  beforeAll(async () => {
    h = await harness('worker', implementations, {
      listeners: [
        {
          onStarted: (info) => void events.push(`started ${info.taskName} ${info.attempt}`),
          onCompleted: (outcome) => void events.push(`completed ${outcome.taskName} ${outcome.attempt}`),
          onFailed: (outcome) =>
            void events.push(`failed ${outcome.taskName} ${outcome.attempt} ${outcome.final}`),
        },
        {
          onStarted: () => {
            throw new Error('a broken listener must not fail the task');
          },
        },
        {
          onStarted: async (info) => {
            await new Promise((resolve) => setTimeout(resolve, 20));
            ordered.push(`waited ${info.taskId}`);
          },
          onCompleted: async () => {
            throw new Error('a rejecting listener must not fail the task');
          },
        },
        {
          onStarted: (info) => void ordered.push(`next ${info.taskId}`),
          onCompleted: (outcome) => void ordered.push(`completed ${outcome.taskId}`),
        },
      ],
    });
  });
  afterAll(() => h.close());

  it('gives a handler its task, its signal, its logger and a progress it may take out', async () => {
    const { taskId } = await h.client.submit(
      'demo.introspect',
      {},
      { userId: 'u2', submitter: userSubmitter('u2', false) },
    );
    const row = await h.settled(taskId, 'completed');
    expect(row.progress).toBe(30);
    expect(row.result).toEqual({
      taskId,
      taskName: 'demo.introspect',
      queue: 'demo',
      attempt: 1,
      maxAttempts: 2,
      userId: 'u2',
      workflow: false,
      aborted: false,
      logs: true,
      // What a handler may rely on finding when it lists the context (`signal` and `logger` are
      // made on first read).
      keys: ['attempt', 'maxAttempts', 'progress', 'queue', 'taskId', 'taskName', 'userId', 'workflow'],
    });
  });

  it('runs a task and records result, timings and attempts', async () => {
    const { taskId, queue } = await h.client.submit(
      'demo.echo',
      { text: 'hi' },
      { userId: 'u1', submitter: userSubmitter('u1', false) },
    );
    expect(queue).toBe('demo');
    const row = await h.settled(taskId, 'completed');
    expect(row.result).toEqual({ text: 'HI' });
    expect(row.userId).toBe('u1');
    expect(row.attempts).toBe(1);
    expect(row.payload).toEqual({ text: 'hi' });
    expect(row.startedAt).toBeInstanceOf(Date);
    expect(row.completedAt!.getTime()).toBeGreaterThanOrEqual(row.startedAt!.getTime());
    expect(row.durationMs).toBeGreaterThanOrEqual(0);
    expect(row.waitMs).toBeGreaterThanOrEqual(0);
    expect(row.queueJobId).toBe(taskId);
  });

  it("waits for a listener's promise before telling the next, whatever it settles to", async () => {
    const { taskId } = await h.client.submit('demo.echo', { text: 'in order' });
    await h.settled(taskId, 'completed');
    expect(ordered.filter((entry) => entry.endsWith(taskId))).toEqual([
      `waited ${taskId}`,
      `next ${taskId}`,
      `completed ${taskId}`,
    ]);
  });

  it('retries by policy and counts the attempts', async () => {
    const { taskId } = await h.client.submit('demo.flaky', {});
    const row = await h.settled(taskId, 'completed');
    expect(row.attempts).toBe(3);
    expect(row.maxRetries).toBe(2);
    expect(row.result).toEqual({ calls: 3 });
    expect(row.error).toBe('flaky failure 2');
    expect(events.filter((event) => event.includes('demo.flaky'))).toEqual([
      'started demo.flaky 1',
      'failed demo.flaky 1 false',
      'started demo.flaky 2',
      'failed demo.flaky 2 false',
      'started demo.flaky 3',
      'completed demo.flaky 3',
    ]);
  });

  it('fails with a clear message when a handler throws a non-Error', async () => {
    const { taskId } = await h.client.submit('demo.throws_string', {});
    const row = await h.settled(taskId, 'failed');
    expect(row.error).toBe('Handler threw a non-Error value: a plain string');
    expect(row.completedAt).toBeInstanceOf(Date);
  });

  it('fails without retrying when a result is not JSON', async () => {
    const { taskId } = await h.client.submit('demo.bad_result', {});
    const row = await h.settled(taskId, 'failed');
    expect(row.error).toMatch(/invalid result: not JSON-serialisable/);
    expect(row.attempts).toBe(1);
  });

  it('fails at once, without retries, on a missing file, an unknown host or a malformed URL', async () => {
    for (const how of ['missing-file', 'unknown-host', 'bad-url'] as const) {
      const { taskId } = await h.client.submit('demo.doomed', { how });
      const row = await h.settled(taskId, 'failed');
      expect({ how, attempts: row.attempts }).toEqual({ how, attempts: 1 });
    }
  });

  it('fails an attempt that outlives its time limit and keeps working', async () => {
    const { taskId } = await h.client.submit('demo.slow', {});
    const row = await h.settled(taskId, 'failed');
    expect(row.error).toMatch(/exceeded its time limit of 100 ms/);
    const after = await h.client.submit('demo.echo', { text: 'still alive' });
    await h.settled(after.taskId, 'completed');
  });

  it('refuses bad input before anything is queued or written', async () => {
    const queue = h.client.queue('demo');
    const before = await queue.count();
    await expect(h.client.submit('demo.echo', { text: 5 })).rejects.toThrow(PayloadValidationError);
    await expect(h.client.submit('demo.nope', {})).rejects.toThrow(UnknownTaskError);
    await expect(h.client.submit('demo.echo', { text: 'x' }, { priority: -2 })).rejects.toThrow(/priority/);
    await expect(h.client.submit('demo.echo', { text: 'x' }, { delayMs: Number.NaN })).rejects.toThrow(
      /delayMs/,
    );
    await expect(
      h.client.submitBulk([
        { name: 'demo.echo', payload: { text: 'ok' } },
        { name: 'demo.echo', payload: { text: 1 } },
      ]),
    ).rejects.toThrow(/1\.text/);
    expect(await queue.count()).toBe(before);
    await h.records.flush();
    // Every record so far belongs to a submitted task; none to the refused ones.
    const refused = await h.database.database.db.$count(tasks, sql`${tasks.payload}->>'text' in ('ok', '1')`);
    expect(refused).toBe(0);
  });

  it('submits in bulk across one queue', async () => {
    const submitted = await h.client.submitBulk(
      Array.from({ length: 20 }, (_, index) => ({ name: 'demo.echo', payload: { text: `n${index}` } })),
    );
    const rows = await Promise.all(submitted.map(({ taskId }) => h.settled(taskId, 'completed')));
    expect(rows.map((row) => (row.result as { text: string }).text).sort()).toEqual(
      Array.from({ length: 20 }, (_, index) => `N${index}`).sort(),
    );
  });
});
