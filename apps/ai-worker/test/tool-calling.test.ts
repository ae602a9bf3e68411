import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChatClient } from '@foreman/ai-client';
import {
  completion,
  type ModelServer,
  replySequence,
  startModelServer,
  toolCallCompletion,
} from '@foreman/ai-client/testing';
import { ai, createRegistry } from '@foreman/contracts';
import { type Runtime, SubmitQuota, type TaskClient, type TaskEventPublisher } from '@foreman/core';
import { createTestRedis, createTestRuntime, type TestRedis } from '@foreman/core/testing';
import {
  AiUsageStore,
  ApprovalStore,
  aiTasks as aiTasksTable,
  calendarEvents,
  eq,
  inboundEmails,
} from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { GuardedFetch } from '@foreman/net';
import { UnrecoverableError } from 'bullmq';
import { AiRunError } from '../src/agent/ai-run-error.js';
import { ToolRegistry } from '../src/tools/tool-registry.js';
import { createRunAiTask, createRunner, handlerContext } from './ai-fixtures.js';

type Message = { role: string; content: string | null; tool_call_id?: string };
const messagesOf = (body: Record<string, unknown> | undefined) => (body?.messages ?? []) as Message[];
/** The tool answers the model was sent in request `index`, parsed. */
const toolAnswers = (server: ModelServer, index: number) =>
  messagesOf(server.requests[index])
    .filter((message) => message.role === 'tool')
    .map((message) => JSON.parse(message.content as string) as Record<string, unknown>);

const DAY_START = '2026-03-02T00:00:00Z';
const DAY_END = '2026-03-03T00:00:00Z';

describe('AI tasks that call tools, against a real database, queue and model server', () => {
  let server: ModelServer;
  let testDb: TestDatabase;
  let redis: TestRedis;
  let chat: ChatClient;
  let runtime: Runtime;
  let client: TaskClient;
  let events: TaskEventPublisher;
  let web: Server;
  let webUrl: string;
  beforeAll(async () => {
    server = await startModelServer();
    testDb = await createTestDatabase('ai_tools');
    redis = await createTestRedis('ai_tools');
    chat = new ChatClient({ baseUrl: server.baseUrl, model: 'tiny' });
    runtime = await createTestRuntime({
      redis,
      database: testDb,
      registry: createRegistry(),
      project: false,
    });
    ({ client, events } = runtime);
    web = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('opening hours: 9 to 5');
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}/hours`;

    const db = testDb.database.db;
    await db.insert(inboundEmails).values([
      { userId: 'u1', fromAddress: 'boss@example.com', subject: 'Budget review', body: 'Numbers due Friday' },
      {
        userId: 'u1',
        fromAddress: 'news@example.com',
        subject: 'Weekly digest',
        body: 'Already read',
        flags: ['\\Seen'],
      },
      { userId: 'u2', fromAddress: 'hr@other.org', subject: 'Secret salary letter', body: 'For u2 only' },
    ]);
    const feedId = crypto.randomUUID();
    await db.insert(calendarEvents).values([
      { feedId, userId: 'u1', uid: 'a', summary: 'Standup', startsAt: new Date('2026-03-02T09:00:00Z') },
      { feedId, userId: 'u1', uid: 'b', summary: 'Next week', startsAt: new Date('2026-03-09T09:00:00Z') },
      { feedId, userId: 'u2', uid: 'c', summary: 'u2 dentist', startsAt: new Date('2026-03-02T10:00:00Z') },
    ]);
  });
  afterEach(() => server.requests.splice(0));
  afterAll(async () => {
    await server.close();
    await runtime.stop();
    await new Promise((resolve) => web.close(resolve));
    await redis.cleanup();
    await testDb.drop();
  });

  const db = () => testDb.database.db;
  const insertTask = async (values: Partial<typeof aiTasksTable.$inferInsert>) => {
    const dueAt = new Date(Date.now() - 60_000);
    const [row] = await db()
      .insert(aiTasksTable)
      .values({ userId: 'u1', name: 'digest', prompt: 'Summarise my day', nextRunAt: dueAt, ...values })
      .returning();
    return { row: row!, payload: { aiTaskId: row!.id, dueAt: dueAt.toISOString() } };
  };

  it('registers exactly the tools the contracts let a user AI task name, each saying what it touches', () => {
    const tools = new ToolRegistry({
      db: db(),
      approvals: new ApprovalStore(db()),
      client,
      registry: createRegistry(),
      fetcher: new GuardedFetch(),
    });
    expect(tools.names().sort()).toEqual([...ai.AI_TOOL_NAMES].sort());
    for (const name of tools.names()) expect(tools.get(name)?.touches.length).toBeGreaterThan(0);
  });

  it("completes a two-tool conversation with only the user's own mail and calendar", async () => {
    const { row, payload } = await insertTask({ tools: ['read_calendar', 'search_email'] });
    server.reply(
      replySequence([
        toolCallCompletion([
          { id: 'c1', name: 'read_calendar', arguments: { from: DAY_START, to: DAY_END } },
        ]),
        toolCallCompletion([{ id: 'c2', name: 'search_email', arguments: { unreadOnly: true } }]),
        completion('Standup at 9; the budget review mail is unread.'),
      ]),
    );
    const task = createRunAiTask({ db: db(), chat, client, events });
    const result = await task.handler(payload, handlerContext());

    expect(result).toMatchObject({
      ran: true,
      answer: 'Standup at 9; the budget review mail is unread.',
      steps: 5,
      toolCalls: 2,
      promptTokens: 30,
      completionTokens: 6,
    });
    expect(server.requests).toHaveLength(3);
    const offered = (
      server.requests[0]!.tools as Array<{ function: { name: string; parameters: object } }>
    ).map((tool) => tool.function);
    expect(offered.map((tool) => tool.name)).toEqual(['read_calendar', 'search_email']);
    expect(offered[0]?.parameters).toMatchObject({ type: 'object', required: ['from', 'to'] });
    expect(toolAnswers(server, 1)).toEqual([
      {
        events: [expect.objectContaining({ summary: 'Standup', startsAt: '2026-03-02T09:00:00.000Z' })],
      },
    ]);
    const mail = toolAnswers(server, 2)[1] as { emails: Array<{ subject: string; unread: boolean }> };
    expect(mail.emails).toEqual([expect.objectContaining({ subject: 'Budget review', unread: true })]);
    expect((await db().select().from(aiTasksTable).where(eq(aiTasksTable.id, row.id)))[0]?.lastResult).toBe(
      'Standup at 9; the budget review mail is unread.',
    );
  });

  it('sends a bad argument and a tool not offered back to the model as tool errors', async () => {
    const { payload } = await insertTask({ tools: ['read_calendar'] });
    server.reply(
      replySequence([
        toolCallCompletion([
          { id: 'bad', name: 'read_calendar', arguments: { from: 'yesterday', to: DAY_END } },
          { id: 'json', name: 'read_calendar', arguments: '{"from": ' },
          { id: 'other', name: 'search_email', arguments: {} },
        ]),
        completion('Sorry, I could not read it.'),
      ]),
    );
    const task = createRunAiTask({ db: db(), chat, client, events });
    expect(await task.handler(payload, handlerContext())).toMatchObject({ ran: true, toolCalls: 3 });
    expect(toolAnswers(server, 1)).toEqual([
      {
        error: {
          code: 'INVALID_ARGUMENTS',
          message: expect.any(String),
          details: [expect.objectContaining({ path: 'from' })],
        },
      },
      { error: { code: 'INVALID_ARGUMENTS', message: 'arguments are not valid JSON' } },
      { error: { code: 'UNKNOWN_TOOL', message: 'no tool named "search_email" is offered' } },
    ]);
  });

  it('ends a model that keeps calling tools at the step limit, for good', async () => {
    const { row, payload } = await insertTask({ tools: ['search_email'] });
    const again = toolCallCompletion([{ id: 'again', name: 'search_email', arguments: {} }]);
    server.reply(replySequence([again, again, again, again]));
    const task = createRunAiTask({ db: db(), chat, client, events, maxSteps: 5 });
    const error = await Promise.resolve(task.handler(payload, handlerContext())).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).cause).toMatchObject({ code: 'STEP_LIMIT_REACHED', steps: 5 });
    // Steps: model, tool, model, tool, model; the sixth is refused.
    expect(server.requests).toHaveLength(3);
    const [failed] = await db().select().from(aiTasksTable).where(eq(aiTasksTable.id, row.id));
    expect(failed?.lastError).toMatch(/within 5 steps/);
  });

  it("stops new model calls once the user's daily budget is spent, and counts the day's use", async () => {
    const usage = new AiUsageStore(db());
    await usage.setBudget('u3', 20, 'admin');
    const { row, payload } = await insertTask({ userId: 'u3', tools: ['search_email'] });
    const again = toolCallCompletion([{ id: 'again', name: 'search_email', arguments: {} }]);
    server.reply(replySequence([again, again, again]));
    const task = createRunAiTask({ db: db(), chat, client, events });
    const error = await Promise.resolve(task.handler(payload, handlerContext())).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).cause).toMatchObject({
      code: 'AI_BUDGET_EXCEEDED',
      details: { userId: 'u3', dailyTokens: 20, usedTokens: 24 },
    });
    // 12 tokens a call: the second call starts under the budget, the third is refused.
    expect(server.requests).toHaveLength(2);
    expect(await usage.today('u3')).toMatchObject({
      promptTokens: 20,
      completionTokens: 4,
      modelCalls: 2,
      toolCalls: 2,
    });
    const [failed] = await db().select().from(aiTasksTable).where(eq(aiTasksTable.id, row.id));
    expect(failed?.lastError).toMatch(/daily budget of 20 AI tokens/);
  });

  it('fails a task naming a tool that is no longer registered, for good and without a model call', async () => {
    const { row, payload } = await insertTask({ tools: ['search_email', 'send_fax'] });
    const task = createRunAiTask({ db: db(), chat, client, events });
    const error = await Promise.resolve(task.handler(payload, handlerContext())).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).cause).toMatchObject({ code: 'TOOL_NOT_REGISTERED' });
    expect(server.requests).toHaveLength(0);
    const [failed] = await db().select().from(aiTasksTable).where(eq(aiTasksTable.id, row.id));
    expect(failed?.lastError).toMatch(/send_fax/);
  });

  it('ends a run that passes its deadline while the model is still thinking', async () => {
    // The server never answers: only the deadline ends the call.
    server.reply(() => {});
    const runner = createRunner({ db: db(), chat, client, deadlineMs: 200 });
    const error = await runner
      .run({
        taskId: `t-${crypto.randomUUID()}`,
        userId: 'u1',
        messages: [{ role: 'user', content: 'think forever' }],
        tools: [],
        signal: new AbortController().signal,
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AiRunError);
    expect(error).toMatchObject({ code: 'DEADLINE_PASSED', steps: 0 });
  });

  it("never reaches another user's mail, calendar or tasks", async () => {
    const { row: othersTask } = await insertTask({ userId: 'u2' });
    const runner = createRunner({ db: db(), chat, client });
    server.reply(
      replySequence([
        toolCallCompletion([
          { id: 'm', name: 'search_email', arguments: { query: 'salary' } },
          { id: 'c', name: 'read_calendar', arguments: { from: DAY_START, to: DAY_END } },
          {
            id: 's',
            name: 'submit_task',
            arguments: {
              task: ai.runAiTask.name,
              payload: { aiTaskId: othersTask.id, dueAt: new Date().toISOString() },
            },
          },
        ]),
        completion('nothing found'),
      ]),
    );
    await runner.run({
      taskId: `t-${crypto.randomUUID()}`,
      userId: 'u1',
      messages: [{ role: 'user', content: "read u2's things" }],
      tools: ['search_email', 'read_calendar', 'submit_task'],
      signal: new AbortController().signal,
    });
    const [mail, calendar, submit] = toolAnswers(server, 1);
    expect(mail).toEqual({ emails: [] });
    expect(calendar).toEqual({ events: [expect.objectContaining({ summary: 'Standup' })] });
    expect(submit).toEqual({
      error: { code: 'REFUSED', message: expect.stringMatching(/not the user's/) },
    });
  });

  it('submits a typed task as the user, counted against the submit quota', async () => {
    const quota = new SubmitQuota({ redis: redis.redis, prefix: redis.prefix, limit: 1, windowMs: 60_000 });
    const runner = createRunner({ db: db(), chat, client, quota });
    server.reply(
      replySequence([
        toolCallCompletion([
          { id: 'bad', name: 'submit_task', arguments: { task: ai.completePrompt.name, payload: {} } },
          {
            id: 'ok',
            name: 'submit_task',
            arguments: { task: ai.completePrompt.name, payload: { prompt: 'hi' } },
          },
          {
            id: 'over',
            name: 'submit_task',
            arguments: { task: ai.completePrompt.name, payload: { prompt: 'again' } },
          },
        ]),
        completion('submitted'),
      ]),
    );
    await runner.run({
      taskId: `t-${crypto.randomUUID()}`,
      userId: 'u1',
      messages: [{ role: 'user', content: 'ask the model something' }],
      tools: ['submit_task'],
      signal: new AbortController().signal,
    });
    const [invalid, submitted, overQuota] = toolAnswers(server, 1);
    expect(invalid).toMatchObject({ error: { code: 'INVALID_ARGUMENTS' } });
    expect(submitted).toEqual({ taskId: expect.any(String), deduplicated: false });
    expect(overQuota).toMatchObject({ error: { code: 'REFUSED', message: expect.stringMatching(/quota/) } });
    // Keyed by provider, the task may still wait for admission: read it wherever Redis holds it.
    const queued = await client.recordFromQueue((submitted as { taskId: string }).taskId);
    expect(queued).toMatchObject({ userId: 'u1', payload: { prompt: 'hi' } });
  });

  it('fetches a URL only through the SSRF guard', async () => {
    const fetchThenAnswer = () =>
      replySequence([
        toolCallCompletion([{ id: 'f', name: 'fetch_url', arguments: { url: webUrl } }]),
        completion('done'),
      ]);
    const run = (allowedHosts: string[]) =>
      createRunner({ db: db(), chat, client, allowedHosts }).run({
        taskId: `t-${crypto.randomUUID()}`,
        userId: 'u1',
        messages: [{ role: 'user', content: 'when are they open?' }],
        tools: ['fetch_url'],
        signal: new AbortController().signal,
      });
    server.reply(fetchThenAnswer());
    await run([]);
    expect(toolAnswers(server, 1)).toEqual([{ error: { code: 'REFUSED', message: expect.any(String) } }]);

    server.requests.splice(0);
    server.reply(fetchThenAnswer());
    await run(['127.0.0.1']);
    expect(toolAnswers(server, 1)).toEqual([
      { status: 200, contentType: 'text/plain', body: 'opening hours: 9 to 5', truncated: false },
    ]);
  });
});
