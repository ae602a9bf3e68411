import type { ChatClient } from '@foreman/ai-client';
import { createRegistry } from '@foreman/contracts';
import type { SubmitQuota, TaskClient, TaskEventPublisher } from '@foreman/core';
import type { Db } from '@foreman/db';
import { GuardedFetch } from '@foreman/net';
import { AiRunner } from '../src/agent/ai-run.js';
import { StepStore } from '../src/agent/step-store.js';
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
}

/** An AiRunner with every tool, as the worker app builds it. */
export function createRunner(setup: RunnerSetup): AiRunner {
  const tools = new ToolRegistry({
    db: setup.db,
    client: setup.client,
    registry: createRegistry(),
    quota: setup.quota,
    fetcher: new GuardedFetch({ allowedHosts: setup.allowedHosts ?? [] }),
  });
  return new AiRunner({
    chat: setup.chat,
    tools,
    steps: new StepStore(setup.db),
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
