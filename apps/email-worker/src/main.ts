import { chatClientFromEnv } from '@foreman/ai-client';
import { QUEUES } from '@foreman/contracts';
import { runWorkerApp } from '@foreman/core';
import { createSmtpTransport } from '@foreman/mail';
import { WorkerMetrics } from '@foreman/metrics';
import { loadEmailEnv } from './env.js';
import { emailTasks } from './tasks/index.js';

const env = loadEmailEnv();
// Every send is an `smtp send` span under the task's run span when tracing is on.
const transport = createSmtpTransport(env.SMTP_URL);
const chat = chatClientFromEnv(env);

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
