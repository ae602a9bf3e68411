import { chatClientFromEnv, EmbeddingClient } from '@foreman/ai-client';
import { createRegistry, QUEUES } from '@foreman/contracts';
import { runWorkerApp } from '@foreman/core/worker';
import { mailboxAccess } from '@foreman/imap';
import { createSmtpTransport } from '@foreman/mail';
import { WorkerMetrics } from '@foreman/metrics';
import { loadEmailEnv } from './env.js';
import { emailTasks } from './tasks/index.js';

const env = loadEmailEnv();
// Every send is an `smtp send` span under the task's run span when tracing is on.
const transport = createSmtpTransport(env.SMTP_URL);
const chat = chatClientFromEnv(env);
const embeddings = env.EMAIL_EMBEDDING_MODEL
  ? new EmbeddingClient({
      baseUrl: env.AI_BASE_URL,
      apiKey: env.AI_API_KEY,
      model: env.EMAIL_EMBEDDING_MODEL,
      timeoutMs: env.AI_REQUEST_TIMEOUT_MS,
    })
  : undefined;

await runWorkerApp({
  name: 'email-worker',
  queue: QUEUES.email,
  // A sync of every mailbox submits one run per mailbox, recorded and fairly admitted.
  registry: createRegistry(),
  tasks: ({ database, client }) =>
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
      spamCategory: env.EMAIL_SPAM_CATEGORY,
      lowReputationScore: env.EMAIL_LOW_REPUTATION_SCORE,
      highReputationScore: env.EMAIL_HIGH_REPUTATION_SCORE,
      embeddings,
      access: mailboxAccess(database.db, env),
      client,
      syncLimits: { bodyMaxBytes: env.EMAIL_SYNC_BODY_MAX_BYTES, batchSize: env.EMAIL_SYNC_BATCH_SIZE },
    }),
  defaults: { concurrency: 4, healthPort: 3102, recordProjector: false },
  plugins: [new WorkerMetrics()],
});
