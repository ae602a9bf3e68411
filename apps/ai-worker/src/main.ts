import { chatClientFromEnv } from '@foreman/ai-client';
import { createRegistry, QUEUES } from '@foreman/contracts';
import { runWorkerApp, TaskClient } from '@foreman/core';
import { WorkerMetrics } from '@foreman/metrics';
import { loadAiEnv } from './env.js';
import { aiTasks } from './tasks/index.js';

const env = loadAiEnv();
const chat = chatClientFromEnv(env);

await runWorkerApp({
  name: 'ai-worker',
  queue: QUEUES.ai,
  tasks: ({ database, redis }) =>
    aiTasks({
      chat,
      db: database.db,
      // Submits each due user task as its own run on this same queue.
      client: new TaskClient({ registry: createRegistry(), connection: redis, prefix: env.QUEUE_PREFIX }),
      maxBackoffMinutes: env.AI_TASK_MAX_BACKOFF_MINUTES,
    }),
  defaults: { concurrency: 1, healthPort: 3101 },
  plugins: [new WorkerMetrics()],
});
