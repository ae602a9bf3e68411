import { chatClientFromEnv } from '@foreman/ai-client';
import { createRegistry, QUEUES } from '@foreman/contracts';
import { runWorkerApp, SubmitQuota } from '@foreman/core/worker';
import { AiUsageStore, ApprovalStore } from '@foreman/db';
import { WorkerMetrics } from '@foreman/metrics';
import { GuardedFetch } from '@foreman/net';
import { AiRunner } from './agent/ai-run.js';
import { AiUsageMeter } from './agent/ai-usage-meter.js';
import { StepStore } from './agent/step-store.js';
import { loadAiEnv } from './env.js';
import { aiTasks } from './tasks/index.js';
import { ToolRegistry } from './tools/tool-registry.js';

const env = loadAiEnv();
const chat = chatClientFromEnv(env);
const registry = createRegistry();
const metrics = new WorkerMetrics();

await runWorkerApp({
  name: 'ai-worker',
  queue: QUEUES.ai,
  // Submits each due user task as its own run on this same queue, and what `submit_task` asks
  // for: checked for ownership, admitted fairly and recorded as the api's submits are.
  registry,
  tasks: ({ database, redis, client, events }) => {
    const tools = new ToolRegistry({
      db: database.db,
      approvals: new ApprovalStore(database.db),
      client,
      registry,
      fetcher: new GuardedFetch({
        allowPrivate: env.FETCH_ALLOW_PRIVATE,
        allowedHosts: env.FETCH_ALLOWED_HOSTS,
      }),
      // Tools submit into the same per-user quota as the api and beat.
      quota: SubmitQuota.fromEnv(redis, env.QUEUE_PREFIX, env),
    });
    const usage = new AiUsageMeter(new AiUsageStore(database.db), metrics.registry.meter);
    return aiTasks({
      chat,
      usage,
      db: database.db,
      client,
      runner: new AiRunner({
        chat,
        tools,
        steps: new StepStore(database.db),
        usage,
        maxSteps: env.AI_MAX_STEPS,
        deadlineMs: env.AI_RUN_DEADLINE_MS,
      }),
      events,
      outputIntervalMs: env.AI_OUTPUT_INTERVAL_MS,
      maxBackoffMinutes: env.AI_TASK_MAX_BACKOFF_MINUTES,
    });
  },
  defaults: { concurrency: 1, healthPort: 3101, recordProjector: false },
  plugins: [metrics],
});
