// A worker process of the fairness tests: a real runWorkerApp on queue "fair-test" whose task
// sleeps, counts in Redis how many of its user's tasks execute at this moment across every
// process (keeping the peak), and logs its start and end.
import { implementTask } from '../src/task/implement-task.js';
import { runWorkerApp } from '../src/worker/run-worker-app.js';
import { fairWork } from './fair-work.js';

const ENTER = `
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
if n > tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0') then redis.call('HSET', KEYS[2], ARGV[1], n) end
return n`;

const prefix = process.env.QUEUE_PREFIX ?? 'foreman';
await runWorkerApp({
  name: 'fair-worker',
  queue: 'fair-test',
  defaults: { concurrency: 4, healthPort: 0, recordProjector: true },
  tasks: ({ redis }) => [
    implementTask(fairWork, async ({ ms }, context) => {
      const user = context.userId ?? 'anonymous';
      const start = Date.now();
      await redis.eval(ENTER, 2, `${prefix}:probe:now`, `${prefix}:probe:peak`, user);
      await new Promise((resolve) => setTimeout(resolve, ms));
      await redis.hincrby(`${prefix}:probe:now`, user, -1);
      await redis.rpush(
        `${prefix}:probe:log`,
        JSON.stringify({ user, taskId: context.taskId, pid: process.pid, start, end: Date.now() }),
      );
      return {};
    }),
  ],
});
