import { z } from 'zod';
import { TaskLockLostError } from '../src/errors/task-lock-lost-error.js';
import { defineTask } from '../src/task/define-task.js';
import { implementTask } from '../src/task/implement-task.js';
import { waitFor } from '../src/testing.js';
import { harness } from './fixtures.js';

const holds = defineTask({
  name: 'lock.holds',
  queue: 'lock',
  payload: z.object({}),
  retry: { attempts: 1 },
});

/** Why each run's signal was aborted. */
const reasons: unknown[] = [];
const implementations = [
  implementTask(
    holds,
    (_payload, { signal }) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          reasons.push(signal.reason);
          reject(signal.reason);
        });
      }),
  ),
];

describe('a run whose lock cannot be renewed', () => {
  let h: Awaited<ReturnType<typeof harness>>;
  beforeAll(async () => {
    h = await harness('lock-lost', implementations, { start: false });
    // Renewed every half of it: a lost lock is noticed within half a second.
    await h.replaceWorker({ lockDurationMs: 1_000 });
  });
  afterAll(() => h.close());

  it('is aborted with TaskLockLostError, so it stops before another worker retakes it', async () => {
    const { taskId } = await h.client.submit('lock.holds', {});
    await h.settled(taskId, 'running');
    // What a lock expiring behind a stalled event loop or a Redis failover looks like to BullMQ.
    await h.redis.redis.del(`${h.redis.prefix}:lock:${taskId}:lock`);
    await waitFor(async () => reasons.length > 0 || undefined, { what: 'the run to be aborted' });
    expect(reasons[0]).toBeInstanceOf(TaskLockLostError);
    expect((reasons[0] as TaskLockLostError).code).toBe('TASK_LOCK_LOST');
    // The slot is freed once the failed attempt is recorded.
    await waitFor(async () => h.worker.runningTaskIds().length === 0 || undefined, {
      what: 'the slot to free',
    });
  });
});
