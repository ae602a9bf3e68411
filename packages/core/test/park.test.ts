import { z } from 'zod';
import { NonRetryableError } from '../src/errors/non-retryable-error.js';
import { TaskNotParkedError } from '../src/errors/task-not-parked-error.js';
import { TaskParkedError } from '../src/errors/task-parked-error.js';
import { defineTask } from '../src/task/define-task.js';
import { implementTask } from '../src/task/implement-task.js';
import { waitFor } from '../src/testing.js';
import { echo, harness } from './fixtures.js';

const gate = defineTask({
  name: 'demo.gate',
  queue: 'demo',
  payload: z.object({ untilMs: z.number() }),
  result: z.object({ runs: z.number() }),
  retry: { attempts: 1 },
});

/** Gates opened by the test, and how often each gated task's handler ran. */
const opened = new Set<string>();
const runs = new Map<string, number>();

const implementations = [
  implementTask(echo, async ({ text }) => ({ text })),
  implementTask(gate, async ({ untilMs }, { taskId }) => {
    runs.set(taskId, (runs.get(taskId) ?? 0) + 1);
    if (opened.has(taskId)) return { runs: runs.get(taskId)! };
    if (Date.now() >= untilMs) throw new NonRetryableError('the gate stayed shut');
    throw new TaskParkedError({ untilMs, reason: 'waiting for the gate' });
  }),
];

describe('parking a task and waking it', () => {
  let h: Awaited<ReturnType<typeof harness>>;
  beforeAll(async () => {
    // One slot: a parked task must not hold it.
    h = await harness('park', implementations, { concurrency: 1 });
  });
  afterAll(() => h.close());

  it('parks without spending an attempt or a slot, and runs again when woken', async () => {
    const { taskId } = await h.client.submit('demo.gate', { untilMs: Date.now() + 60_000 });
    // The submit's row is pending too; the park's is the one with a run behind it.
    const parked = await waitFor(async () => {
      const row = await h.record(taskId);
      return row?.status === 'pending' && row.attempts === 1 ? row : undefined;
    });
    expect(parked.progressMessage).toBe('waiting for the gate');
    expect(await (await h.client.findJob(taskId)).getState()).toBe('delayed');

    const other = await h.client.submit('demo.echo', { text: 'meanwhile' });
    await h.settled(other.taskId, 'completed');

    opened.add(taskId);
    await h.client.wake(taskId);
    await expect(h.client.wake(taskId)).rejects.toThrow(TaskNotParkedError);
    const row = await h.settled(taskId, 'completed');
    expect(row.result).toEqual({ runs: 2 });
    expect(row.attempts).toBe(2);
    // The park took no attempt: the one allowed is the run that completed.
    expect((await h.client.findJob(taskId)).attemptsMade).toBe(1);
  });

  it('runs a parked task again at its deadline', async () => {
    const { taskId } = await h.client.submit('demo.gate', { untilMs: Date.now() + 300 });
    const row = await h.settled(taskId, 'failed');
    expect(row.error).toBe('the gate stayed shut');
    expect(runs.get(taskId)).toBe(2);
  });

  it('refuses to wake a task that is not parked', async () => {
    const { taskId } = await h.client.submit('demo.echo', { text: 'done' });
    await h.settled(taskId, 'completed');
    const waking = h.client.wake(taskId);
    await expect(waking).rejects.toThrow(TaskNotParkedError);
    await expect(waking).rejects.toMatchObject({ code: 'TASK_NOT_PARKED' });
  });
});
