import { cpuUsage } from 'node:process';
import { defineTask, implementTask, TaskRegistry } from '@foreman/core';
import { waitFor } from '@foreman/core/testing';
import { z } from 'zod';
import { startQueueRig } from './queue-rig.js';

const payload = z.object({ key: z.string() });
const plain = defineTask({
  name: 'bench.plain_noop',
  queue: 'bench-plain',
  description: 'Does nothing, on a queue without admission',
  payload,
  result: z.null(),
});
// Limits far above what one worker reaches, so they never hold a task back: the figures are the
// cost of the admission hop itself (waiting list, dispatch script, slot release).
const keyed = defineTask({
  name: 'bench.keyed_noop',
  queue: 'bench-keyed',
  description: 'Does nothing, keyed by its payload',
  payload,
  result: z.null(),
  flow: { key: 'key', concurrency: 100_000, rate: { count: 1_000_000, intervalMs: 1_000, burst: 1_000_000 } },
});

export interface KeyedOverheadOptions {
  tasks: number;
  /** Distinct flow keys the keyed tasks spread over (round-robin). */
  keys: number;
  concurrency: number;
}

export interface KeyedOverheadFigures {
  queue: 'plain' | 'keyed';
  tasks: number;
  /** First start to last end. */
  tasksPerSecond: number;
  /** CPU (user + system) of the process running the worker, its dispatcher and records, per task. */
  cpuMsPer1000: number;
}

/**
 * The same no-op tasks through a plain queue and through a keyed one (admitted for its flow keys,
 * with its default ready window), one after the other in one run: the keyed queue's overhead.
 */
export async function runKeyedOverheadBench(options: KeyedOverheadOptions): Promise<KeyedOverheadFigures[]> {
  return [await runOnce('plain', options), await runOnce('keyed', options)];
}

async function runOnce(
  kind: 'plain' | 'keyed',
  options: KeyedOverheadOptions,
): Promise<KeyedOverheadFigures> {
  const task = kind === 'plain' ? plain : keyed;
  let done = 0;
  let firstStart = Number.POSITIVE_INFINITY;
  let lastEnd = 0;
  const rig = await startQueueRig({
    name: 'keyed',
    registry: new TaskRegistry([plain, keyed]),
    queue: task.queue,
    admission: kind === 'keyed',
    tasks: [
      implementTask(task, async () => {
        firstStart = Math.min(firstStart, performance.now());
        done += 1;
        lastEnd = performance.now();
        return null;
      }),
    ],
    concurrency: options.concurrency,
  });
  try {
    for (let start = 0; start < options.tasks; start += 1_000) {
      const size = Math.min(1_000, options.tasks - start);
      await rig.client.submitBulk(
        Array.from({ length: size }, (_, index) => ({
          name: task.name,
          payload: { key: `key-${(start + index) % options.keys}` },
        })),
      );
    }
    const cpuBefore = cpuUsage();
    await rig.start();
    await waitFor(() => (done >= options.tasks ? true : undefined), { timeoutMs: 600_000, intervalMs: 20 });
    const cpu = cpuUsage(cpuBefore);
    return {
      queue: kind,
      tasks: options.tasks,
      tasksPerSecond: Math.round((options.tasks / Math.max(1, lastEnd - firstStart)) * 1_000),
      cpuMsPer1000: Math.round(((cpu.user + cpu.system) / 1_000 / options.tasks) * 1_000),
    };
  } finally {
    await rig.close();
  }
}

export function keyedOverheadMarkdown(
  figures: KeyedOverheadFigures[],
  options: KeyedOverheadOptions,
): string {
  const plainRate = figures.find((row) => row.queue === 'plain')?.tasksPerSecond ?? 0;
  return [
    `Keyed queue overhead: ${options.tasks} no-op tasks each, ${options.keys} keys (limits never bind), concurrency ${options.concurrency}`,
    '',
    '| queue | tasks/s | vs plain | worker CPU ms / 1,000 tasks |',
    '| ----- | ------- | -------- | --------------------------- |',
    ...figures.map(
      (row) =>
        `| ${row.queue} | ${row.tasksPerSecond} | ${plainRate > 0 ? (row.tasksPerSecond / plainRate).toFixed(2) : '–'} | ${row.cpuMsPer1000} |`,
    ),
  ].join('\n');
}
