import { z } from 'zod';
import { defineTask } from '../src/task/define-task.js';

// The keyed tasks of the flow-key process tests (queue "flow-test"); see flow-worker-main.ts.

/** One at a time per mailbox: sleeps `ms`. */
export const lockedWork = defineTask({
  name: 'flow.locked',
  queue: 'flow-test',
  payload: z.object({ mailbox: z.string(), ms: z.number().int().min(0) }),
  flow: { key: 'mailbox', concurrency: 1 },
});

/** Ten starts a second per source: sleeps `ms`. */
export const pacedWork = defineTask({
  name: 'flow.paced',
  queue: 'flow-test',
  payload: z.object({ source: z.string(), ms: z.number().int().min(0) }),
  flow: { key: 'source', rate: { count: 10, intervalMs: 1_000 } },
});

/**
 * Calls the scripted model server for its provider, five a second; a 429 becomes a push-back that
 * pauses the provider's key. One attempt: a push-back that spent it would fail the task.
 */
export const modelCall = defineTask({
  name: 'flow.model',
  queue: 'flow-test',
  payload: z.object({ provider: z.string() }),
  flow: { key: (payload) => payload.provider, scope: 'provider', rate: { count: 5, intervalMs: 1_000 } },
  retry: { attempts: 1 },
});
