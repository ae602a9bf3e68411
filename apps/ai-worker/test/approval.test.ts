import {
  completion,
  type ModelServer,
  replySequence,
  startModelServer,
  toolCallCompletion,
} from '@foreman/ai-client/testing';
import { ai, createRegistry } from '@foreman/contracts';
import { type Runtime, SYSTEM_SUBMITTER } from '@foreman/core';
import {
  type ApiProcess,
  type AppProcess,
  createTestRedis,
  createTestRuntime,
  startApiProcess,
  type TestRedis,
  waitFor,
} from '@foreman/core/testing';
import { ApiKeyStore, aiApprovals, aiTaskSteps, aiTasks, asc, eq, tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { repoRoot, startAiWorkerProcess } from './ai-fixtures.js';

describe('an AI task waiting for approval across worker restarts', () => {
  let server: ModelServer;
  let testDb: TestDatabase;
  let redis: TestRedis;
  let api: ApiProcess;
  /** Submits as the api does, and stores the rows as beat's projector does in a deployment. */
  let runtime: Runtime;
  let ownerKey: string;
  let otherKey: string;
  const workers: AppProcess[] = [];
  beforeAll(async () => {
    server = await startModelServer();
    testDb = await createTestDatabase('ai_approval');
    redis = await createTestRedis('ai_approval');
    api = await startApiProcess(repoRoot, { redis, database: testDb });
    const keys = new ApiKeyStore(testDb.database.db);
    ownerKey = (await keys.create({ userId: 'u1' })).key;
    otherKey = (await keys.create({ userId: 'u2' })).key;
    runtime = await createTestRuntime({
      redis,
      database: testDb,
      registry: createRegistry(),
    });
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await api.stop();
    await runtime.stop();
    await server.close();
    await redis.cleanup();
    await testDb.drop();
  });

  const db = () => testDb.database.db;
  const startWorker = async () => {
    const worker = await startAiWorkerProcess({ redis, testDb, server });
    workers.push(worker);
    return worker;
  };
  const stopWorker = async (worker: AppProcess) => {
    await worker.stop();
    workers.splice(workers.indexOf(worker), 1);
  };
  const signal = (key: string, taskId: string, body: unknown) =>
    fetch(`${api.baseUrl}/tasks/${taskId}/signal`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const errorCode = async (response: Response) =>
    [response.status, ((await response.json()) as { error: { code: string } }).error.code] as const;

  /** Submits a run of a new AI task of u1 that may ask for approval. */
  const submitRun = async () => {
    const dueAt = new Date(Date.now() - 60_000);
    const [row] = await db()
      .insert(aiTasks)
      .values({
        userId: 'u1',
        name: 'careful sender',
        prompt: 'Draft and send the summary',
        tools: ['wait_for_approval'],
        nextRunAt: dueAt,
      })
      .returning();
    const { taskId } = await runtime.client.submit(
      ai.runAiTask.name,
      { aiTaskId: row!.id, dueAt: dueAt.toISOString() },
      { userId: 'u1', submitter: SYSTEM_SUBMITTER },
    );
    return { aiTaskId: row!.id, taskId };
  };
  /** The token the parked task's record shows its owner. */
  const parkedToken = (taskId: string) =>
    waitFor(
      async () => {
        const [row] = await db().select().from(tasks).where(eq(tasks.id, taskId));
        if (row?.status !== 'pending') return undefined;
        return /waiting for approval \(token ([\w-]+)\)/.exec(row.progressMessage ?? '')?.[1];
      },
      { timeoutMs: 30_000, what: 'the task to park' },
    );

  it('parks, survives a worker restart, resumes on the signal and calls no model twice', async () => {
    const seenBefore = server.requests.length;
    server.reply(
      replySequence([
        toolCallCompletion([
          { id: 'a', name: 'wait_for_approval', arguments: { question: 'Send it?', timeoutSeconds: 600 } },
        ]),
        completion('Sent, as approved.'),
      ]),
    );
    const first = await startWorker();
    const { aiTaskId, taskId } = await submitRun();
    const token = await parkedToken(taskId);
    // Parked: delayed in Redis, no worker holds it; the approval waits with a hashed token.
    expect(await (await runtime.client.findJob(taskId)).getState()).toBe('delayed');
    const [approval] = await db().select().from(aiApprovals).where(eq(aiApprovals.taskId, taskId));
    expect(approval).toMatchObject({ userId: 'u1', question: 'Send it?', stepIndex: 1, decision: null });
    expect(approval!.tokenHash).not.toContain(token);

    await stopWorker(first);
    await startWorker();

    expect(await errorCode(await signal(otherKey, taskId, { token, decision: 'approved' }))).toEqual([
      404,
      'TASK_NOT_FOUND',
    ]);
    expect(await errorCode(await signal(ownerKey, taskId, { token: 'guess', decision: 'approved' }))).toEqual(
      [403, 'APPROVAL_TOKEN_INVALID'],
    );
    const approved = await signal(ownerKey, taskId, { token, decision: 'approved', comment: 'go ahead' });
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ taskId, decision: 'approved', comment: 'go ahead' });
    expect(await errorCode(await signal(ownerKey, taskId, { token, decision: 'denied' }))).toEqual([
      409,
      'APPROVAL_ALREADY_DECIDED',
    ]);

    const done = await waitFor(
      async () => {
        const [row] = await db().select().from(aiTasks).where(eq(aiTasks.id, aiTaskId));
        return row?.lastResult ? row : undefined;
      },
      { timeoutMs: 30_000, what: 'the run to finish after the signal' },
    );
    expect(done.lastResult).toBe('Sent, as approved.');
    // Two model calls in all: the first was replayed after the wake, not asked again.
    const requests = server.requests.slice(seenBefore);
    expect(requests).toHaveLength(2);
    const last = requests[1]!.messages as Array<{ role: string; content: string }>;
    expect(JSON.parse(last.at(-1)!.content)).toEqual({ decision: 'approved', comment: 'go ahead' });
    const steps = await db()
      .select()
      .from(aiTaskSteps)
      .where(eq(aiTaskSteps.taskId, taskId))
      .orderBy(asc(aiTaskSteps.stepIndex));
    expect(steps.map((step) => step.kind)).toEqual(['model', 'tool:wait_for_approval', 'model']);
  });

  it('fails the task with APPROVAL_TIMED_OUT when no decision comes by the deadline', async () => {
    server.reply(
      replySequence([
        toolCallCompletion([
          { id: 'b', name: 'wait_for_approval', arguments: { question: 'Delete all?', timeoutSeconds: 2 } },
        ]),
      ]),
    );
    if (workers.length === 0) await startWorker();
    const { aiTaskId, taskId } = await submitRun();
    const token = await parkedToken(taskId);
    const failed = await waitFor(
      async () => {
        const [row] = await db().select().from(tasks).where(eq(tasks.id, taskId));
        return row?.status === 'failed' ? row : undefined;
      },
      { timeoutMs: 30_000, what: 'the task to fail at its deadline' },
    );
    expect(failed.error).toMatch(/no decision on "Delete all\?"/);
    const [aiTask] = await db().select().from(aiTasks).where(eq(aiTasks.id, aiTaskId));
    expect(aiTask!.lastError).toMatch(/no decision/);
    // An admin may signal any user's task (not 404), but not one that finished.
    expect(await errorCode(await signal(api.adminKey, taskId, { token, decision: 'approved' }))).toEqual([
      409,
      'TASK_STATE_CONFLICT',
    ]);
    const [approval] = await db().select().from(aiApprovals).where(eq(aiApprovals.taskId, taskId));
    expect(approval!.decision).toBeNull();
  });
});
