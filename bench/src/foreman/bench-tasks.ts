import { setTimeout as sleep } from 'node:timers/promises';
import { defineTask, implementTask } from '@foreman/core';
import { z } from 'zod';
import type { TaskKind } from '../contenders/contender.js';
import { IO_WAIT_MS } from '../contenders/payloads.js';
import { clock, type ProgressChannel } from '../workers/progress-channel.js';

export const BENCH_QUEUE = 'bench';

export const benchNoop = defineTask({
  name: 'bench.noop',
  queue: BENCH_QUEUE,
  description: 'Does nothing: measures the cost of the system itself',
  payload: z.object({ at: z.number() }),
  result: z.null(),
});

export const benchIo = defineTask({
  name: 'bench.io',
  queue: BENCH_QUEUE,
  description: 'Takes 1 KB and waits 5 ms, like a handler that calls a service',
  payload: z.object({ data: z.string(), at: z.number() }),
  result: z.null(),
});

export const benchContracts = [benchNoop, benchIo];
export const benchTaskName: Record<TaskKind, string> = { noop: benchNoop.name, io: benchIo.name };

/** The handlers, reporting each finished task to the harness. */
export function benchImplementations(channel: ProgressChannel) {
  return [
    implementTask(benchNoop, (payload) => {
      channel.record(payload.at, clock());
      return null;
    }),
    implementTask(benchIo, async (payload) => {
      const startedAt = clock();
      await sleep(IO_WAIT_MS);
      channel.record(payload.at, startedAt);
      return null;
    }),
  ];
}
