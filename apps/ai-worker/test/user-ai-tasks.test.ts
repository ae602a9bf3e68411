import { ChatClient } from '@foreman/ai-client';
import { completion, type ModelServer, replyJson, startModelServer } from '@foreman/ai-client/testing';
import { ai, createRegistry } from '@foreman/contracts';
import { type Runtime, SYSTEM_SUBMITTER, userSubmitter } from '@foreman/core';
import { createTestRedis, createTestRuntime, type TestRedis, waitFor } from '@foreman/core/testing';
import { aiTasks as aiTasksTable, eq, tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { UnrecoverableError } from 'bullmq';
import { handlerContext as context, createRunAiTask, startAiWorker } from './ai-fixtures.js';

const MINUTE = 60_000;

/** Submit options of a user's own task. */
const as = (userId: string) => ({ userId, submitter: userSubmitter(userId, false) });

describe("users' AI tasks against a real database, queue and model server", () => {
  let server: ModelServer;
  let testDb: TestDatabase;
  let redis: TestRedis;
  let chat: ChatClient;
  /** Lends the runner its client and events; no worker of this file projects through it. */
  let runtime: Runtime;
  beforeAll(async () => {
    server = await startModelServer();
    testDb = await createTestDatabase('ai');
    redis = await createTestRedis('ai');
    chat = new ChatClient({ baseUrl: server.baseUrl, model: 'tiny' });
    runtime = await createTestRuntime({
      redis,
      database: testDb,
      registry: createRegistry(),
      project: false,
    });
  });
  afterAll(async () => {
    await runtime.stop();
    await server.close();
    await redis.cleanup();
    await testDb.drop();
  });

  const db = () => testDb.database.db;
  /** A runner whose tools are never called here: the client only has to exist. */
  const runAiTask = () =>
    createRunAiTask({
      db: db(),
      chat,
      client: runtime.client,
      events: runtime.events,
    });
  const insert = async (values: Partial<typeof aiTasksTable.$inferInsert>) => {
    const [row] = await db()
      .insert(aiTasksTable)
      .values({ userId: 'u1', name: 'digest', prompt: 'Summarise my day', ...values })
      .returning();
    return row!;
  };
  const reload = async (id: string) =>
    (await db().select().from(aiTasksTable).where(eq(aiTasksTable.id, id)))[0]!;

  it('runs each due task as its own queued task, stores answer and usage, advances the next run', async () => {
    const past = new Date(Date.now() - MINUTE);
    const hourly = await insert({ intervalMinutes: 60, nextRunAt: past, system: 'Be brief' });
    const once = await insert({ nextRunAt: past, prompt: 'One-off question' });
    const later = await insert({ intervalMinutes: 60, nextRunAt: new Date(Date.now() + 60 * MINUTE) });
    const disabled = await insert({ intervalMinutes: 60, nextRunAt: past, enabled: false });
    server.reply(({ body }, response) => {
      const messages = body.messages as Array<{ content: string }>;
      replyJson(response, 200, completion(`answer to ${messages.at(-1)?.content}`));
    });

    const { client, close } = await startAiWorker({ testDb, redis, chat, concurrency: 2 });
    try {
      const { taskId } = await client.submit(ai.processDueAiTasks.name, {});
      const parent = await waitFor(
        async () => {
          const [row] = await db().select().from(tasks).where(eq(tasks.id, taskId));
          return row?.status === 'completed' ? row : undefined;
        },
        { timeoutMs: 20_000, what: 'process_due_ai_tasks to complete' },
      );
      expect(parent.result).toMatchObject({ due: 2 });
      const ran = await waitFor(
        async () => {
          const rows = await db().select().from(tasks).where(eq(tasks.name, ai.runAiTask.name));
          return rows.length === 2 && rows.every((row) => row.status === 'completed') ? rows : undefined;
        },
        { timeoutMs: 20_000, what: 'both runs to complete' },
      );
      expect(ran.map((row) => row.userId)).toEqual(['u1', 'u1']);
    } finally {
      await close();
    }

    const afterHourly = await reload(hourly.id);
    expect(afterHourly).toMatchObject({
      lastResult: 'answer to Summarise my day',
      lastModel: 'test-model',
      promptTokens: 10,
      completionTokens: 2,
      lastError: null,
      enabled: true,
    });
    expect(afterHourly.nextRunAt!.getTime()).toBeGreaterThan(Date.now() + 59 * MINUTE);
    expect(await reload(once.id)).toMatchObject({
      lastResult: 'answer to One-off question',
      nextRunAt: null,
      enabled: false,
    });
    expect((await reload(later.id)).lastRunAt).toBeNull();
    expect((await reload(disabled.id)).lastRunAt).toBeNull();
    const systemPrompts = server.requests.filter((body) =>
      (body.messages as Array<{ role: string }>).some((message) => message.role === 'system'),
    );
    expect(systemPrompts).toHaveLength(1);
  });

  it("stores a model reply holding NUL without it, and keeps recording other users' tasks", async () => {
    server.reply((_r, response) => replyJson(response, 200, completion('Par\u0000is')));
    const { client, records, close } = await startAiWorker({ testDb, redis, chat });
    try {
      const dueAt = new Date(Date.now() - MINUTE);
      const row = await insert({ nextRunAt: dueAt });
      const prompt = await client.submit(ai.completePrompt.name, { prompt: 'Capital?' }, as('alice'));
      const due = await client.submit(
        ai.runAiTask.name,
        { aiTaskId: row.id, dueAt: dueAt.toISOString() },
        // As the due sweep submits it: the system, for the task's owner.
        { userId: 'u1', submitter: SYSTEM_SUBMITTER },
      );
      const other = await client.submit(ai.completePrompt.name, { prompt: 'Again?' }, as('bob'));
      const recorded = (id: string) =>
        waitFor(async () => {
          const [found] = await db().select().from(tasks).where(eq(tasks.id, id));
          return found?.status === 'completed' ? found : undefined;
        });
      expect((await recorded(prompt.taskId)).result).toMatchObject({ answer: 'Paris' });
      expect((await recorded(due.taskId)).result).toMatchObject({ answer: 'Paris' });
      expect(await recorded(other.taskId)).toMatchObject({ userId: 'bob' });
      expect((await reload(row.id)).lastResult).toBe('Paris');
      expect(records.stats.quarantined).toBe(0);
    } finally {
      await close();
    }
  });

  it('is safe to retry: a run whose due time has passed on does nothing', async () => {
    const dueAt = new Date(Date.now() - MINUTE);
    const row = await insert({ intervalMinutes: 30, nextRunAt: dueAt });
    server.reply((_r, response) => replyJson(response, 200, completion('first')));
    const task = runAiTask();
    const payload = { aiTaskId: row.id, dueAt: dueAt.toISOString() };
    expect(await task.handler(payload, context())).toMatchObject({ ran: true, answer: 'first' });
    const calls = server.requests.length;
    expect(await task.handler(payload, context())).toMatchObject({ ran: false, answer: null });
    expect(server.requests).toHaveLength(calls);
    expect((await reload(row.id)).lastResult).toBe('first');
  });

  it('leaves a 429 to the retry policy and backs the task off after the last attempt', async () => {
    const dueAt = new Date(Date.now() - MINUTE);
    const row = await insert({ intervalMinutes: 10, nextRunAt: dueAt });
    server.reply((_r, response) =>
      replyJson(response, 429, { error: 'rate limited' }, { 'retry-after': '1' }),
    );
    const task = runAiTask();
    const payload = { aiTaskId: row.id, dueAt: dueAt.toISOString() };

    const early = await Promise.resolve(task.handler(payload, context(1, 3))).catch((e: unknown) => e);
    expect(early).not.toBeInstanceOf(UnrecoverableError);
    expect(early).toMatchObject({ status: 429 });
    expect(await reload(row.id)).toMatchObject({ nextRunAt: dueAt, lastError: null });

    await expect(task.handler(payload, context(3, 3))).rejects.toMatchObject({ status: 429 });
    const backedOff = await reload(row.id);
    expect(backedOff.lastError).toMatch(/429/);
    expect(backedOff.consecutiveFailures).toBe(1);
    expect(backedOff.nextRunAt!.getTime()).toBeGreaterThan(Date.now() + 9 * MINUTE);
  });

  it('fails a malformed reply for good, records it, and doubles the wait after repeated failures', async () => {
    const dueAt = new Date(Date.now() - MINUTE);
    const row = await insert({ intervalMinutes: 10, nextRunAt: dueAt, consecutiveFailures: 2 });
    server.reply((_r, response) => replyJson(response, 200, { choices: [] }));
    const task = runAiTask();
    await expect(task.handler({ aiTaskId: row.id, dueAt: dueAt.toISOString() }, context())).rejects.toThrow(
      UnrecoverableError,
    );
    const failed = await reload(row.id);
    expect(failed.lastError).toMatch(/malformed completion/);
    expect(failed.lastResult).toBeNull();
    expect(failed.consecutiveFailures).toBe(3);
    expect(failed.nextRunAt!.getTime()).toBeGreaterThan(Date.now() + 39 * MINUTE);
  });

  it('fails clearly for a task that does not exist', async () => {
    const task = runAiTask();
    await expect(
      task.handler(
        { aiTaskId: '00000000-0000-4000-8000-000000000000', dueAt: new Date().toISOString() },
        context(),
      ),
    ).rejects.toThrow(/does not exist/);
  });
});
