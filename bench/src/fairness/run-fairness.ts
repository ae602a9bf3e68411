import { setTimeout as sleep } from 'node:timers/promises';
import type { FairnessSettings } from '@foreman/config';
import { defineTask, implementTask, TaskRegistry, userSubmitter } from '@foreman/core';
import { waitFor } from '@foreman/core/testing';
import { z } from 'zod';
import { startQueueRig } from './queue-rig.js';

const QUEUE = 'bench-fair';
const work = defineTask({
  name: 'bench.fair_work',
  queue: QUEUE,
  description: 'Waits a few milliseconds for one user',
  payload: z.object({ ms: z.number().int().min(0) }),
  result: z.null(),
});

export interface FairnessBenchOptions {
  /** Tasks the big user submits first. */
  bigTasks: number;
  /** Tasks the small user submits right after. */
  smallTasks: number;
  taskMs: number;
  concurrency: number;
}

export interface FairnessFigures {
  fairness: 'off' | 'on';
  tasks: number;
  /** Every task's first start to last end. */
  tasksPerSecond: number;
  /** Small user's submit to the start of its last task. */
  smallUserWaitMs: number;
  /** Big user's tasks started between the small user's submit and its last start. */
  bigStartedMeanwhile: number;
}

/**
 * One in-process worker on one queue; a big user submits a backlog, then a small user a few
 * tasks. Run with fairness off (one FIFO) and on (round-robin admission, ready window 2x slots).
 */
export async function runFairnessBench(options: FairnessBenchOptions): Promise<FairnessFigures[]> {
  const figures: FairnessFigures[] = [];
  for (const mode of ['off', 'on'] as const) figures.push(await runOnce(mode, options));
  return figures;
}

async function runOnce(mode: 'off' | 'on', options: FairnessBenchOptions): Promise<FairnessFigures> {
  const settings: FairnessSettings =
    mode === 'on' ? { [QUEUE]: { readyWindow: 2 * options.concurrency } } : {};
  const runs: Array<{ user: string; start: number; end: number }> = [];
  const rig = await startQueueRig({
    name: 'fair',
    registry: new TaskRegistry([work]),
    env: { FAIRNESS: JSON.stringify(settings) },
    queue: QUEUE,
    admission: mode === 'on',
    tasks: [
      implementTask(work, async ({ ms }, context) => {
        const start = performance.now();
        await sleep(ms);
        runs.push({ user: context.userId ?? 'anonymous', start, end: performance.now() });
        return null;
      }),
    ],
    concurrency: options.concurrency,
  });
  const { client } = rig;
  try {
    const submit = async (userId: string, count: number) => {
      for (let start = 0; start < count; start += 1_000) {
        const size = Math.min(1_000, count - start);
        await client.submitBulk(
          Array.from({ length: size }, () => ({
            name: work.name,
            payload: { ms: options.taskMs },
            options: { userId, submitter: userSubmitter(userId, false) },
          })),
        );
      }
    };
    await submit('big', options.bigTasks);
    await rig.start();
    await waitFor(() => (runs.length >= Math.min(100, options.bigTasks / 10) ? true : undefined), {
      timeoutMs: 120_000,
    });
    const smallSubmittedAt = performance.now();
    await submit('small', options.smallTasks);
    const total = options.bigTasks + options.smallTasks;
    await waitFor(() => (runs.length >= total ? true : undefined), { timeoutMs: 600_000, intervalMs: 50 });
    const lastSmallStart = Math.max(...runs.filter((run) => run.user === 'small').map((run) => run.start));
    const firstStart = Math.min(...runs.map((run) => run.start));
    const lastEnd = Math.max(...runs.map((run) => run.end));
    return {
      fairness: mode,
      tasks: total,
      tasksPerSecond: Math.round((total / (lastEnd - firstStart)) * 1_000),
      smallUserWaitMs: Math.round(lastSmallStart - smallSubmittedAt),
      bigStartedMeanwhile: runs.filter(
        (run) => run.user === 'big' && run.start >= smallSubmittedAt && run.start <= lastSmallStart,
      ).length,
    };
  } finally {
    await rig.close();
  }
}

export function fairnessMarkdown(figures: FairnessFigures[], options: FairnessBenchOptions): string {
  return [
    `Fairness: big user ${options.bigTasks} tasks, then small user ${options.smallTasks}; ${options.taskMs} ms each, concurrency ${options.concurrency}`,
    '',
    '| fairness | tasks/s | small user waits (ms) | big user tasks started meanwhile |',
    '| -------- | ------- | --------------------- | -------------------------------- |',
    ...figures.map(
      (row) =>
        `| ${row.fairness} | ${row.tasksPerSecond} | ${row.smallUserWaitMs} | ${row.bigStartedMeanwhile} |`,
    ),
  ].join('\n');
}
