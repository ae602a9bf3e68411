import { chatClientFromEnv } from '@foreman/ai-client';
import { createRegistry, QUEUES } from '@foreman/contracts';
import { FairScheduler, runWorkerApp, TaskClient } from '@foreman/core';
import { mailboxAccess } from '@foreman/imap';
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
  tasks: ({ database, redis }) =>
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
      access: mailboxAccess(database.db, env),
      // A sync of every mailbox submits one run per mailbox, through fair admission.
      client: new TaskClient({
        registry: createRegistry(),
        connection: redis,
        prefix: env.QUEUE_PREFIX,
        fairness: new FairScheduler({ connection: redis, prefix: env.QUEUE_PREFIX, settings: env.FAIRNESS }),
      }),
      syncLimits: { bodyMaxBytes: env.EMAIL_SYNC_BODY_MAX_BYTES, batchSize: env.EMAIL_SYNC_BATCH_SIZE },
    }),
  defaults: { concurrency: 4, healthPort: 3102 },
  plugins: [new WorkerMetrics()],
});
