import {
  createRedis,
  defineTask,
  implementTask,
  type TaskContext,
  TaskRegistry,
  TaskWorker,
} from '@foreman/core';
import { createTestRedis, createTestRuntime, type TestRedis, waitFor } from '@foreman/core/testing';
import { createDatabase, type Database } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { createLogger, type Logger } from '@foreman/logger';
import { z } from 'zod';
import type { WorkflowPredicate } from '../src/graph/conditions.js';
import { WorkflowClient } from '../src/workflow-client.js';
import { WorkflowEngine } from '../src/workflow-engine.js';
import { WorkflowOrchestrator } from '../src/workflow-orchestrator.js';
import type { WorkflowView } from '../src/workflow-store.js';

export const logger: Logger = createLogger('test', { level: 'silent' });

const value = z.object({ value: z.number() });
/** Sum of the parents' `value` results. */
const fromParents = (context: TaskContext) =>
  Object.values(context.workflow?.parents ?? {}).reduce(
    (sum, parent) => sum + ((parent.result as { value?: number } | undefined)?.value ?? 0),
    0,
  );

export const add = defineTask({
  name: 'wf.add',
  queue: 'wf-a',
  payload: z.object({ n: z.number() }),
  result: value,
});
export const multiply = defineTask({
  name: 'wf.multiply',
  queue: 'wf-b',
  payload: z.object({ by: z.number() }),
  result: value,
});
export const explode = defineTask({
  name: 'wf.explode',
  queue: 'wf-a',
  payload: z.object({}),
  retry: { attempts: 1 },
});
/** A system task: only admins and the system may run it, in a workflow too. */
export const cleanup = defineTask({
  name: 'wf.cleanup',
  queue: 'wf-b',
  payload: z.object({}),
  audience: 'system',
});
export const hold = defineTask({ name: 'wf.hold', queue: 'wf-a', payload: z.object({}), result: value });

/** Handlers of `wf.hold` wait here until the test releases them by task id. */
export const held = new Map<string, () => void>();

const implementations = [
  implementTask(add, async ({ n }, context) => ({ value: n + fromParents(context) })),
  implementTask(multiply, async ({ by }, context) => ({ value: fromParents(context) * by })),
  implementTask(explode, async () => {
    throw new Error('exploded on purpose');
  }),
  implementTask(cleanup, async (_payload, context) => ({ sawParents: context.workflow?.parents ?? {} })),
  implementTask(hold, async (_payload, context) => {
    await new Promise<void>((resolve, reject) => {
      held.set(context.taskId, resolve);
      context.signal.addEventListener('abort', () => reject(new Error('aborted')));
    });
    return { value: 5 };
  }),
];

export const predicates: Record<string, WorkflowPredicate> = {
  positive: (parents) =>
    Object.values(parents).every((parent) => (parent.result as { value: number }).value > 0),
};

/** An orchestrating "process": its own Redis and PostgreSQL connections, client and engine. */
export interface Orchestrating {
  client: WorkflowClient;
  orchestrator: WorkflowOrchestrator;
  stop(): Promise<void>;
}

/** Real Redis and PostgreSQL, one worker per queue (wf-a, wf-b). */
export async function workflowHarness(label: string) {
  const redis: TestRedis = await createTestRedis(label);
  const database: TestDatabase = await createTestDatabase(label);
  const registry = new TaskRegistry([add, multiply, explode, cleanup, hold]);
  // The workers' rows reach the table through the stream and its projector, as in a worker app.
  const runtime = await createTestRuntime({ redis, database, registry, logger });
  const { records, events } = runtime;
  const workers = ['wf-a', 'wf-b'].map(
    (queue) =>
      new TaskWorker({
        queue,
        tasks: implementations.filter((task) => task.contract.queue === queue),
        connection: redis.redis,
        prefix: redis.prefix,
        events,
        records,
        logger,
        concurrency: 4,
      }),
  );
  await Promise.all(workers.map((worker) => worker.start()));

  const orchestrating: Orchestrating[] = [];
  /** Starts an orchestrating process; stop it to simulate a crash or a restart. */
  async function orchestrate(): Promise<Orchestrating> {
    const connection = createRedis(redis.url);
    const db: Database = createDatabase({ url: database.url, schema: database.schema, poolSize: 4 });
    // Its rows go to the stream, which the harness's projector stores.
    const runtime = await createTestRuntime({
      redis: { redis: connection, url: redis.url, prefix: redis.prefix },
      database: { database: db, url: database.url, schema: database.schema },
      registry,
      logger,
      project: false,
    });
    const tasks = runtime.client;
    const engine = new WorkflowEngine({ db: db.db, client: tasks, predicates, logger });
    const orchestrator = new WorkflowOrchestrator({ db: db.db, engine, logger, pollIntervalMs: 100 });
    await orchestrator.start();
    let stopped = false;
    const handle: Orchestrating = {
      client: new WorkflowClient({ db: db.db, engine, logger }),
      orchestrator,
      async stop() {
        if (stopped) return;
        stopped = true;
        await orchestrator.stop();
        await runtime.stop();
        connection.disconnect();
        await db.close();
      },
    };
    orchestrating.push(handle);
    return handle;
  }

  return {
    redis,
    database,
    orchestrate,
    /** Stops every orchestrating process started so far. */
    async stopOrchestrators() {
      for (const handle of orchestrating) await handle.stop();
    },
    async finished(client: WorkflowClient, workflowId: string): Promise<WorkflowView> {
      return waitFor(
        async () => {
          const view = await client.status(workflowId);
          return view.status === 'running' ? undefined : view;
        },
        { timeoutMs: 45_000, intervalMs: 100, what: `workflow ${workflowId} to finish` },
      );
    },
    async close() {
      for (const handle of orchestrating) await handle.stop();
      await Promise.all(workers.map((worker) => worker.close()));
      await runtime.stop();
      await redis.cleanup();
      await database.drop();
    },
  };
}

export const byKey = (view: WorkflowView) => Object.fromEntries(view.nodes.map((node) => [node.key, node]));
