import { ChatClient } from '@foreman/ai-client';
import { QUEUES } from '@foreman/contracts';
import { runWorkerApp } from '@foreman/core';
import { WorkerMetrics } from '@foreman/metrics';
import nodemailer from 'nodemailer';
import { loadEmailEnv } from './env.js';
import { emailTasks } from './tasks/index.js';

const env = loadEmailEnv();
const transport = nodemailer.createTransport(env.SMTP_URL);
const chat = new ChatClient({
  baseUrl: env.AI_BASE_URL,
  apiKey: env.AI_API_KEY,
  model: env.AI_MODEL,
  timeoutMs: env.AI_REQUEST_TIMEOUT_MS,
});

await runWorkerApp({
  name: 'email-worker',
  queue: QUEUES.email,
  tasks: ({ database }) =>
    emailTasks({
      db: database.db,
      transport,
      from: env.MAIL_FROM,
      maxAttempts: env.EMAIL_MAX_ATTEMPTS,
      staleSendingMs: env.EMAIL_SENDING_STALE_MINUTES * 60_000,
      chat,
      useAiByDefault: env.EMAIL_AI_CATEGORIZE,
      categories: env.EMAIL_CATEGORIES,
      defaultCategory: env.EMAIL_DEFAULT_CATEGORY,
    }),
  defaults: { concurrency: 4, healthPort: 3102 },
  plugins: [new WorkerMetrics()],
});
