import { z } from 'zod';
import { RateLimitedError } from '../src/errors/task-rate-limited-error.js';
import { defineTask } from '../src/task/define-task.js';
import { implementTask } from '../src/task/implement-task.js';
import { harness } from './fixtures.js';

// One attempt only: a push-back that spent it would fail the task.
const calls = defineTask({
  name: 'limited.call',
  queue: 'limited',
  payload: z.object({ pushBacks: z.number() }),
  result: z.object({ runs: z.number() }),
  retry: { attempts: 1 },
});

const runsOf = new Map<string, number[]>();
const implementations = [
  implementTask(calls, async ({ pushBacks }, { taskId }) => {
    const runs = runsOf.get(taskId) ?? [];
    runs.push(Date.now());
    runsOf.set(taskId, runs);
    if (runs.length <= pushBacks) {
      throw new RateLimitedError({ retryAfterMs: 200, reason: 'model server answered 429' });
    }
    return { runs: runs.length };
  }),
];

describe('a handler pushed back by a rate limit', () => {
  let h: Awaited<ReturnType<typeof harness>>;
  beforeAll(async () => {
    h = await harness('rate-limited', implementations, { start: false });
    await h.replaceWorker({ maxRateLimitedRuns: 3 });
  });
  afterAll(() => h.close());

  it('runs again after the wait it was given, without spending an attempt', async () => {
    const { taskId } = await h.client.submit('limited.call', { pushBacks: 2 });
    const row = await h.settled(taskId, 'completed');
    expect(row.result).toEqual({ runs: 3 });
    const runs = runsOf.get(taskId)!;
    for (let run = 1; run < runs.length; run += 1) {
      expect(runs[run]! - runs[run - 1]!).toBeGreaterThanOrEqual(190);
    }
  });

  it('fails as any error would once it was pushed back more than the bound in a row', async () => {
    const { taskId } = await h.client.submit('limited.call', { pushBacks: 100 });
    const row = await h.settled(taskId, 'failed');
    expect(row.error).toMatch(/Rate limited, retry after 1 s: model server answered 429/);
    // The first run and three push-backs; the fifth run's push-back is the failure.
    expect(runsOf.get(taskId)).toHaveLength(4);
  });
});
