// A worker process of the flow-key tests: a real runWorkerApp on queue "flow-test". Each handler
// logs its own start and end (and the attempt) in Redis; the model call asks MODEL_URL.
import { RateLimitedError } from '../src/errors/task-rate-limited-error.js';
import { implementTask } from '../src/task/implement-task.js';
import { runWorkerApp } from '../src/worker/run-worker-app.js';
import { lockedWork, modelCall, pacedWork } from './flow-work.js';

const prefix = process.env.QUEUE_PREFIX ?? 'foreman';
const modelUrl = process.env.MODEL_URL ?? '';
await runWorkerApp({
  name: 'flow-worker',
  queue: 'flow-test',
  defaults: { concurrency: 4, healthPort: 0, recordProjector: true },
  tasks: ({ redis }) => {
    const log = (entry: Record<string, unknown>) =>
      redis.rpush(`${prefix}:probe:log`, JSON.stringify({ ...entry, pid: process.pid }));
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    return [
      implementTask(lockedWork, async ({ mailbox, ms }, { taskId }) => {
        const start = Date.now();
        await sleep(ms);
        await log({ kind: 'locked', key: mailbox, taskId, start, end: Date.now() });
        return {};
      }),
      implementTask(pacedWork, async ({ source, ms }, { taskId }) => {
        const start = Date.now();
        await sleep(ms);
        await log({ kind: 'paced', key: source, taskId, start, end: Date.now() });
        return {};
      }),
      implementTask(modelCall, async ({ provider }, { taskId, attempt }) => {
        const start = Date.now();
        const response = await fetch(`${modelUrl}/${provider}`, { method: 'POST' });
        await log({ kind: 'model', key: provider, taskId, attempt, start, status: response.status });
        if (response.status === 429) {
          const retryAfterMs = Number(response.headers.get('retry-after')) * 1_000;
          throw new RateLimitedError({ retryAfterMs, reason: `${provider} answered 429` });
        }
        if (!response.ok) throw new Error(`model server answered ${response.status}`);
        return {};
      }),
    ];
  },
});
