import { z } from 'zod';
import { TaskFailedError } from '../src/errors/task-failed-error.js';
import { TaskWaitTimeoutError } from '../src/errors/task-wait-timeout-error.js';
import { defineTask } from '../src/task/define-task.js';
import { implementTask } from '../src/task/implement-task.js';
import { harness } from './fixtures.js';

const add = defineTask({
  name: 'typed.add',
  queue: 'typed',
  payload: z.object({ a: z.number(), b: z.number().default(1) }),
  result: z.object({ sum: z.number() }),
});
const fails = defineTask({
  name: 'typed.fails',
  queue: 'typed',
  payload: z.object({ why: z.string() }),
  retry: { attempts: 1 },
});
const slow = defineTask({ name: 'typed.slow', queue: 'typed', payload: z.object({ ms: z.number() }) });

describe('typed submit', () => {
  let h: Awaited<ReturnType<typeof harness>>;
  beforeAll(async () => {
    h = await harness('typed', [
      implementTask(add, ({ a, b }) => ({ sum: a + b })),
      implementTask(fails, ({ why }) => {
        throw new Error(why);
      }),
      implementTask(
        slow,
        ({ ms }, { signal }) =>
          new Promise((resolve) => {
            const timer = setTimeout(resolve, ms);
            signal.addEventListener('abort', () => clearTimeout(timer));
          }),
      ),
    ]);
  });
  afterAll(() => h.close());

  it('types the payload from the contract and the result of its handle', async () => {
    const handle = await h.client.submit(add, { a: 2 });
    const result: { sum: number } = await handle.result();
    expect(result).toEqual({ sum: 3 });
    expect(handle).toMatchObject({ name: 'typed.add', queue: 'typed' });
    // @ts-expect-error: `a` must be a number; the compiler refuses it, and so does the client.
    await expect(h.client.submit(add, { a: 'two' })).rejects.toThrow(/a/);
  });

  it('submits many of one contract, each with its own result', async () => {
    const handles = await h.client.submitMany(add, [{ a: 1, b: 1 }, { a: 5 }]);
    expect(await Promise.all(handles.map((handle) => handle.result()))).toEqual([{ sum: 2 }, { sum: 6 }]);
  });

  it('throws TaskFailedError for a failed task and a timeout when it takes too long', async () => {
    const failed = await h.client.submit(fails, { why: 'no disk' });
    await expect(failed.result()).rejects.toMatchObject({
      constructor: TaskFailedError,
      status: 'failed',
      message: expect.stringContaining('no disk'),
    });
    const running = await h.client.submit(slow, { ms: 2_000 });
    await expect(running.result({ timeoutMs: 100 })).rejects.toBeInstanceOf(TaskWaitTimeoutError);
    await h.client.cancel(running.taskId);
    await expect(running.result()).rejects.toMatchObject({ status: 'cancelled' });
  });
});
