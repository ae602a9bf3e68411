import { chatClientFromEnv } from '@foreman/ai-client';
import { createRegistry, QUEUES } from '@foreman/contracts';
import { runWorkerApp } from '@foreman/core';
import { WorkerMetrics } from '@foreman/metrics';
import { loadAiEnv } from './env.js';
import { aiTasks } from './tasks/index.js';

const env = loadAiEnv();
const chat = chatClientFromEnv(env);

await runWorkerApp({
  name: 'ai-worker',
  queue: QUEUES.ai,
  // Submits each due user task as its own run, recorded and fairly admitted as the api's are.
  registry: createRegistry(),
  tasks: ({ database, client }) =>
    aiTasks({ chat, db: database.db, client, maxBackoffMinutes: env.AI_TASK_MAX_BACKOFF_MINUTES }),
  defaults: { concurrency: 1, healthPort: 3101 },
  plugins: [new WorkerMetrics()],
});
