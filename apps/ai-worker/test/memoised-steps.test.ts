import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  completion,
  type ModelServer,
  replySequence,
  startModelServer,
  toolCallCompletion,
} from '@foreman/ai-client/testing';
import { ai, createRegistry } from '@foreman/contracts';
import { SYSTEM_SUBMITTER } from '@foreman/core';
import {
  type AppProcess,
  createTestRedis,
  createTestRuntime,
  type TestRedis,
  waitFor,
} from '@foreman/core/testing';
import { aiTaskSteps, aiTasks, asc, eq, inboundEmails } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { startAiWorkerProcess } from './ai-fixtures.js';

describe('memoised steps of an AI task across a SIGKILLed worker process', () => {
  let server: ModelServer;
  let testDb: TestDatabase;
  let redis: TestRedis;
  const workers: AppProcess[] = [];
  beforeAll(async () => {
    server = await startModelServer();
    testDb = await createTestDatabase('ai_memo');
    redis = await createTestRedis('ai_memo');
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await server.close();
    await redis.cleanup();
    await testDb.drop();
  });

  const startWorker = async () => {
    const worker = await startAiWorkerProcess({
      redis,
      testDb,
      server,
      env: {
        // The test's page server is on loopback.
        FETCH_ALLOWED_HOSTS: '127.0.0.1',
        // A dead worker's task is taken over within seconds.
        WORKER_LOCK_DURATION_MS: '2000',
        WORKER_STALLED_INTERVAL_MS: '1000',
      },
    });
    workers.push(worker);
    return worker;
  };

  it('resumes at step 4 after a SIGKILL after step 3 of 5, calling no model twice', async () => {
    const db = testDb.database.db;
    await db.insert(inboundEmails).values({ userId: 'u1', fromAddress: 'a@example.com', subject: 'Invoice' });
    const dueAt = new Date(Date.now() - 60_000);
    const [row] = await db
      .insert(aiTasks)
      .values({
        userId: 'u1',
        name: 'invoice check',
        prompt: 'Is my invoice paid?',
        tools: ['search_email', 'fetch_url'],
        nextRunAt: dueAt,
      })
      .returning();

    // Step 4 fetches this page: the first fetch never answers (the worker is killed during it).
    const fetches: ServerResponse[] = [];
    const pages = createServer((_request, response) => {
      fetches.push(response);
      if (fetches.length > 1) response.writeHead(200, { 'content-type': 'text/plain' }).end('paid');
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    const pageUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}/invoice`;

    // Steps: 1 model, 2 search_email, 3 model, 4 fetch_url, 5 model.
    server.reply(
      replySequence([
        toolCallCompletion([{ id: 's', name: 'search_email', arguments: { query: 'invoice' } }]),
        toolCallCompletion([{ id: 'f', name: 'fetch_url', arguments: { url: pageUrl } }]),
        completion('Your invoice is paid.', { prompt_tokens: 30, completion_tokens: 5 }),
      ]),
    );

    // The worker processes project the records.
    const runtime = await createTestRuntime({
      redis,
      database: testDb,
      registry: createRegistry(),
      project: false,
    });
    const { client } = runtime;
    try {
      const first = await startWorker();
      await client.submit(
        ai.runAiTask.name,
        { aiTaskId: row!.id, dueAt: dueAt.toISOString() },
        { userId: 'u1', submitter: SYSTEM_SUBMITTER },
      );
      await waitFor(async () => (fetches.length === 1 ? true : undefined), {
        timeoutMs: 30_000,
        what: 'step 4 to start',
      });
      first.child.kill('SIGKILL');
      await new Promise((resolve) => first.child.once('exit', resolve));
      // A SIGKILLed process has no shutdown left to wait for.
      workers.splice(workers.indexOf(first), 1);
      expect(server.requests).toHaveLength(2);
      const storedBeforeKill = await db.select().from(aiTaskSteps).orderBy(asc(aiTaskSteps.stepIndex));
      expect(storedBeforeKill.map((step) => step.kind)).toEqual(['model', 'tool:search_email', 'model']);

      await startWorker();
      const done = await waitFor(
        async () => {
          const [current] = await db.select().from(aiTasks).where(eq(aiTasks.id, row!.id));
          return current?.lastResult ? current : undefined;
        },
        { timeoutMs: 45_000, what: 'the run to finish on the second worker' },
      );
      expect(done).toMatchObject({
        lastResult: 'Your invoice is paid.',
        promptTokens: 50,
        completionTokens: 9,
      });
    } finally {
      await runtime.stop();
      for (const response of fetches) response.destroy();
      await new Promise((resolve) => pages.close(resolve));
    }

    // Three model calls in all, each once: steps 1 and 3 were replayed, not asked again.
    expect(server.requests.map((body) => (body.messages as unknown[]).length)).toEqual([1, 3, 5]);
    expect(fetches).toHaveLength(2);
    const steps = await db.select().from(aiTaskSteps).orderBy(asc(aiTaskSteps.stepIndex));
    expect(steps.map((step) => step.kind)).toEqual([
      'model',
      'tool:search_email',
      'model',
      'tool:fetch_url',
      'model',
    ]);
    expect(steps.map((step) => step.stepIndex)).toEqual([0, 1, 2, 3, 4]);
  });
});
