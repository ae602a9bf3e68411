import { fileURLToPath } from 'node:url';
import type { ChatClient } from '@foreman/ai-client';
import type { ModelServer } from '@foreman/ai-client/testing';
import { createRegistry } from '@foreman/contracts';
import {
  FairDispatcher,
  type SubmitQuota,
  type TaskClient,
  type TaskEventPublisher,
  type TaskRecordWriter,
  TaskWorker,
} from '@foreman/core';
import { type AppProcess, createTestRuntime, startAppProcess, type TestRedis } from '@foreman/core/testing';
import { AiUsageStore, ApprovalStore, type Db } from '@foreman/db';
import type { TestDatabase } from '@foreman/db/testing';
import { createLogger } from '@foreman/logger';
import { MetricsRegistry } from '@foreman/metrics';
import { GuardedFetch } from '@foreman/net';
import { AiRunner } from '../src/agent/ai-run.js';
import { AiUsageMeter } from '../src/agent/ai-usage-meter.js';
import { StepStore } from '../src/agent/step-store.js';
import { aiTasks } from '../src/tasks/index.js';
import { runAiTaskTask } from '../src/tasks/run-ai-task.js';
import { ToolRegistry } from '../src/tools/tool-registry.js';

export interface RunnerSetup {
  db: Db;
  chat: ChatClient;
  client: Pick<TaskClient, 'submit'>;
  quota?: SubmitQuota;
  /** Hosts the fetch_url tool may reach although private (the tests' own loopback peers). */
  allowedHosts?: string[];
  maxSteps?: number;
  deadlineMs?: number;
  /** By default one on a registry of its own. */
  usage?: AiUsageMeter;
}

/** An AiUsageMeter whose metrics a test can scrape. */
export function createUsageMeter(db: Db, registry = new MetricsRegistry()): AiUsageMeter {
  return new AiUsageMeter(new AiUsageStore(db), registry.meter);
}

/** An AiRunner with every tool, as the worker app builds it. */
export function createRunner(setup: RunnerSetup): AiRunner {
  const tools = new ToolRegistry({
    db: setup.db,
    approvals: new ApprovalStore(setup.db),
    client: setup.client,
    registry: createRegistry(),
    quota: setup.quota,
    fetcher: new GuardedFetch({ allowedHosts: setup.allowedHosts ?? [] }),
  });
  return new AiRunner({
    chat: setup.chat,
    tools,
    steps: new StepStore(setup.db),
    usage: setup.usage ?? createUsageMeter(setup.db),
    maxSteps: setup.maxSteps ?? 20,
    deadlineMs: setup.deadlineMs ?? 60_000,
  });
}

/** ai.run_ai_task as the worker app builds it, with `output` events 100 ms apart at most. */
export function createRunAiTask(setup: RunnerSetup & { events: Pick<TaskEventPublisher, 'append'> }) {
  return runAiTaskTask({
    db: setup.db,
    runner: createRunner(setup),
    events: setup.events,
    outputIntervalMs: 100,
    maxBackoffMinutes: 600,
  });
}

/** A handler context for calling a task's handler directly. */
export const handlerContext = (attempt = 1, maxAttempts = 4, taskId = `t-${crypto.randomUUID()}`) =>
  ({
    taskId,
    taskName: 'ai.run_ai_task',
    queue: 'ai',
    userId: 'u1',
    attempt,
    maxAttempts,
    signal: new AbortController().signal,
    progress: async () => {},
  }) as never;

export interface InProcessWorker {
  client: TaskClient;
  records: TaskRecordWriter;
  close(): Promise<void>;
}

/**
 * The ai queue's worker in this process, as the worker app runs it: its rows reach the tasks table
 * through the event stream and a projector; `output` events are 20 ms apart at most.
 */
export async function startAiWorker(setup: {
  testDb: TestDatabase;
  redis: TestRedis;
  chat: ChatClient;
  concurrency?: number;
}): Promise<InProcessWorker> {
  const { chat } = setup;
  const db = setup.testDb.database.db;
  const { redis, prefix } = setup.redis;
  const logger = createLogger('test', { level: 'silent' });
  const runtime = await createTestRuntime({
    redis: setup.redis,
    database: setup.testDb,
    registry: createRegistry(),
    logger,
  });
  const { client, events, records } = runtime;
  // The ai tasks share the provider's flow key: they wait for admission, as in the app.
  const dispatcher = new FairDispatcher({
    scheduler: runtime.fairness,
    queue: 'ai',
    connection: redis,
    prefix,
    logger,
  });
  const worker = new TaskWorker({
    queue: 'ai',
    tasks: aiTasks({
      chat,
      usage: createUsageMeter(db),
      db,
      client,
      runner: createRunner({ db, chat, client }),
      events,
      outputIntervalMs: 20,
      maxBackoffMinutes: 600,
    }),
    connection: redis,
    prefix,
    events,
    records,
    logger,
    concurrency: setup.concurrency ?? 1,
    listeners: [dispatcher.listener],
  });
  await worker.start();
  dispatcher.start();
  return {
    client,
    records,
    async close() {
      await dispatcher.stop();
      await worker.close();
      await runtime.stop();
    },
  };
}

/** The repo's root, where app processes are started from. */
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * The ai-worker app as its own process (from source) on the test's Redis prefix, database schema
 * and model server; `env` adds or overrides settings.
 */
export function startAiWorkerProcess(setup: {
  redis: TestRedis;
  testDb: TestDatabase;
  server: ModelServer;
  env?: Record<string, string>;
}): Promise<AppProcess> {
  const { redis, testDb, server } = setup;
  return startAppProcess(
    repoRoot,
    'ai-worker',
    {
      REDIS_URL: redis.url,
      QUEUE_PREFIX: redis.prefix,
      DATABASE_URL: testDb.url,
      DATABASE_SCHEMA: testDb.schema,
      AI_BASE_URL: server.baseUrl,
      AI_MODEL: 'tiny',
      HEALTH_PORT: '0',
      ...setup.env,
    },
    'worker started',
  );
}
