import { QUEUES } from '@foreman/contracts';
import { runWorkerApp } from '@foreman/core';
import { ChatClient } from './client/chat-client.js';
import { loadAiEnv } from './env.js';
import { aiTasks } from './tasks/index.js';

const env = loadAiEnv();
const chat = new ChatClient({
  baseUrl: env.AI_BASE_URL,
  apiKey: env.AI_API_KEY,
  model: env.AI_MODEL,
  timeoutMs: env.AI_REQUEST_TIMEOUT_MS,
});

await runWorkerApp({
  name: 'ai-worker',
  queue: QUEUES.ai,
  tasks: () => aiTasks({ chat }),
  defaults: { concurrency: 1, healthPort: 3101 },
});
