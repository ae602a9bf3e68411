import { type Runtime, type TaskClient, TaskRegistry, userSubmitter } from '@foreman/core';
import { createTestRedis, createTestRuntime, type TestRedis, waitFor } from '@foreman/core/testing';
import { eq, tasks, workflowNodes } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { workflow } from '../src/definition.js';
import { WorkflowClient } from '../src/workflow-client.js';
import { nodeTaskId, WorkflowEngine } from '../src/workflow-engine.js';
import { WorkflowStore } from '../src/workflow-store.js';
import { add, cleanup, logger, multiply } from './fixtures.js';

describe('a 1,000-node workflow', () => {
  let redis: TestRedis;
  let testDb: TestDatabase;
  let runtime: Runtime;
  let client: TaskClient;
  beforeAll(async () => {
    redis = await createTestRedis('large_workflow');
    testDb = await createTestDatabase('large_workflow');
    runtime = await createTestRuntime({
      redis,
      database: testDb,
      registry: new TaskRegistry([add, multiply, cleanup]),
      logger,
    });
    client = runtime.client;
  });
  afterAll(async () => {
    await runtime.stop();
    await redis.cleanup();
    await testDb.drop();
  });

  it('is stored and has every root queued when submit answers, and recorded (no workers run)', async () => {
    // 800 roots on two queues, 200 nodes that wait on them.
    const builder = workflow('wide');
    for (let index = 0; index < 800; index += 1) {
      builder.node({
        key: `root-${index}`,
        task: index % 2 === 0 ? 'wf.add' : 'wf.multiply',
        payload: index % 2 === 0 ? { n: index } : { by: 2 },
      });
    }
    for (let index = 0; index < 200; index += 1) {
      builder.node({
        key: `child-${index}`,
        task: 'wf.cleanup',
        dependsOn: [`root-${index}`, `root-${index + 1}`],
      });
    }
    const engine = new WorkflowEngine({ db: testDb.database.db, client, logger });
    const workflows = new WorkflowClient({ db: testDb.database.db, engine, logger });

    const { workflowId } = await workflows.submit(builder.build(), {
      userId: 'ada',
      submitter: userSubmitter('ada', true),
    });

    const nodes = await testDb.database.db
      .select()
      .from(workflowNodes)
      .where(eq(workflowNodes.workflowId, workflowId));
    expect(nodes).toHaveLength(1_000);
    const roots = nodes.filter((node) => node.key.startsWith('root-'));
    expect(
      roots.every((node) => node.status === 'queued' && node.taskId === nodeTaskId(workflowId, node.key)),
    ).toBe(true);
    expect(
      nodes
        .filter((node) => node.status === 'waiting')
        .map((node) => node.key)
        .sort(),
    ).toEqual(Array.from({ length: 200 }, (_, index) => `child-${index}`).sort());
    const jobIds = new Set<string>();
    for (const queue of ['wf-a', 'wf-b']) {
      for (const job of await client.queue(queue).getJobs(['waiting', 'prioritized']))
        jobIds.add(job.id as string);
    }
    expect(jobIds).toEqual(new Set(roots.map((node) => node.taskId)));
    // The pending rows were in Redis with the jobs; the projector stores them.
    const recorded = await waitFor(async () => {
      const rows = await testDb.database.db
        .select({ id: tasks.id, status: tasks.status, userId: tasks.userId })
        .from(tasks);
      return rows.length === 800 ? rows : undefined;
    });
    expect(recorded.every((record) => record.status === 'pending' && record.userId === 'ada')).toBe(true);
  }, 120_000);

  it('still queues the other ready nodes when one cannot be enqueued (its task is gone)', async () => {
    const workflowId = 'gone-task-workflow';
    const node = (key: string, taskName: string, queue: string, payload: unknown) => ({
      workflowId,
      key,
      position: Number(key.slice(-1)),
      taskName,
      queue,
      payload,
      dependsOn: [],
      condition: { kind: 'success' as const },
      timeoutMs: null,
      status: 'waiting' as const,
    });
    await new WorkflowStore(testDb.database.db).insert(
      { id: workflowId, name: 'gone', userId: 'ada', status: 'running', createdAt: new Date() },
      [
        node('n1', 'wf.add', 'wf-a', { n: 1 }),
        node('n2', 'wf.retired', 'wf-a', {}),
        node('n3', 'wf.add', 'wf-a', { n: 3 }),
      ],
    );
    // An orchestrator whose registry no longer has `wf.retired`.
    const engine = new WorkflowEngine({ db: testDb.database.db, client, logger });
    expect(await engine.advance(workflowId)).toBe(true);
    const nodes = await testDb.database.db
      .select()
      .from(workflowNodes)
      .where(eq(workflowNodes.workflowId, workflowId));
    const statusOf = Object.fromEntries(nodes.map((row) => [row.key, [row.status, row.error]]));
    expect(statusOf).toEqual({
      n1: ['queued', null],
      n2: ['failed', expect.stringMatching(/wf\.retired/)],
      n3: ['queued', null],
    });
    expect(await client.queue('wf-a').getJob(nodeTaskId(workflowId, 'n3'))).toBeDefined();
  });
});
