import { sql } from '@foreman/db';
import { z } from 'zod';
import { defineTask } from '../src/task/define-task.js';
import { implementTask } from '../src/task/implement-task.js';
import type { AnyTaskImplementation, WorkerResources } from '../src/worker/run-worker-app.js';

/** Tasks of the fault tests, run by worker processes started from fault-worker.ts. */
export const insertKey = defineTask({
  name: 'fault.insert_key',
  queue: 'fault',
  payload: z.object({ key: z.string(), holdMs: z.number().int().min(0).default(0) }),
  result: z.object({ key: z.string() }),
  retry: { attempts: 3, delayMs: 50 },
});

export const echoKey = defineTask({
  name: 'fault.echo_key',
  queue: 'fault',
  payload: z.object({ key: z.string() }),
  result: z.object({ key: z.string() }),
});

/** Fails its first attempt, then answers with the attempt that succeeded. */
export const flakyKey = defineTask({
  name: 'fault.flaky_key',
  queue: 'fault',
  payload: z.object({ key: z.string() }),
  result: z.object({ key: z.string(), attempt: z.number() }),
  retry: { attempts: 3, delayMs: 50 },
});

/** Fails every attempt: dead-lettered after the second. */
export const failingKey = defineTask({
  name: 'fault.failing_key',
  queue: 'fault',
  payload: z.object({ key: z.string() }),
  retry: { attempts: 2, delayMs: 50 },
});

export const faultContracts = [insertKey, echoKey, flakyKey, failingKey];

/** The table of side effects: one row per key, so a second run of a task cannot add a second. */
export const SIDE_EFFECTS_TABLE = sql`create table if not exists side_effects (key text primary key, pid integer not null)`;

export const faultTasks = ({ database }: WorkerResources): AnyTaskImplementation[] => [
  implementTask(insertKey, async ({ key, holdMs }, context) => {
    if (holdMs > 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, holdMs);
        context.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(context.signal.reason);
        });
      });
    }
    // Safe to retry: a key written by an earlier, interrupted run is not written twice.
    await database.db.execute(
      sql`insert into side_effects (key, pid) values (${key}, ${process.pid}) on conflict do nothing`,
    );
    return { key };
  }),
  implementTask(echoKey, ({ key }) => ({ key })),
  implementTask(flakyKey, ({ key }, context) => {
    if (context.attempt === 1) throw new Error(`${key} fails once`);
    return { key, attempt: context.attempt };
  }),
  implementTask(failingKey, ({ key }) => {
    throw new Error(`${key} always fails`);
  }),
];
