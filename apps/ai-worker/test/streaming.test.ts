import { ChatClient } from '@foreman/ai-client';
import { type ModelServer, replySequence, startModelServer, streamReply } from '@foreman/ai-client/testing';
import { ai } from '@foreman/contracts';
import { SYSTEM_SUBMITTER, type TaskEvent, TaskEventSubscriber } from '@foreman/core';
import { createTestRedis, type TestRedis, waitFor } from '@foreman/core/testing';
import { aiTasks as aiTasksTable, eq, tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { jest } from '@jest/globals';
import { OutputBatcher } from '../src/agent/output-batcher.js';
import { startAiWorker } from './ai-fixtures.js';

describe('streamed answers of AI tasks as task events', () => {
  let server: ModelServer;
  let testDb: TestDatabase;
  let redis: TestRedis;
  beforeAll(async () => {
    server = await startModelServer();
    testDb = await createTestDatabase('ai_stream');
    redis = await createTestRedis('ai_stream');
  });
  afterAll(async () => {
    await server.close();
    await redis.cleanup();
    await testDb.drop();
  });

  it('publishes the text in order as output events, then completes with the same text', async () => {
    const db = testDb.database.db;
    const dueAt = new Date(Date.now() - 60_000);
    const [row] = await db
      .insert(aiTasksTable)
      .values({ userId: 'u1', name: 'story', prompt: 'Tell a story', stream: true, nextRunAt: dueAt })
      .returning();
    const pieces = Array.from({ length: 30 }, (_, index) => `word${index} `);
    server.reply(replySequence([streamReply(pieces, { gapMs: 5 })]));

    const chat = new ChatClient({ baseUrl: server.baseUrl, model: 'tiny' });
    const { client, close } = await startAiWorker({ testDb, redis, chat });
    const subscriber = new TaskEventSubscriber({ connection: redis.redis, prefix: redis.prefix });
    const seen: TaskEvent[] = [];
    const taskId = `ai-run-${row!.id}`;
    await subscriber.subscribe((event) => seen.push(event), { taskId });
    try {
      await client.submit(
        ai.runAiTask.name,
        { aiTaskId: row!.id, dueAt: dueAt.toISOString() },
        { userId: 'u1', submitter: SYSTEM_SUBMITTER, taskId },
      );
      const record = await waitFor(
        async () => {
          const [found] = await db.select().from(tasks).where(eq(tasks.id, taskId));
          return found?.status === 'completed' ? found : undefined;
        },
        { timeoutMs: 20_000, what: 'the streamed run to complete' },
      );
      await waitFor(async () => (seen.some((event) => event.type === 'completed') ? true : undefined), {
        what: 'the completed event',
      });

      const whole = pieces.join('');
      expect((record.result as { answer: string }).answer).toBe(whole);
      const [stored] = await db.select().from(aiTasksTable).where(eq(aiTasksTable.id, row!.id));
      expect(stored?.lastResult).toBe(whole);
      const types = seen.map((event) => event.type);
      const outputs = seen.filter((event) => event.type === 'output');
      expect(outputs.length).toBeGreaterThan(0);
      expect(outputs.map((event) => event.message).join('')).toBe(whole);
      expect(outputs.every((event) => event.userId === 'u1' && event.taskName === ai.runAiTask.name)).toBe(
        true,
      );
      // Every piece of text comes after the start and before the completion.
      expect(types.indexOf('started')).toBeLessThan(types.indexOf('output'));
      expect(types.lastIndexOf('output')).toBeLessThan(types.indexOf('completed'));
    } finally {
      await subscriber.close();
      await close();
    }
  });

  describe('OutputBatcher', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('sends what was written within one interval as one piece, in order', async () => {
      const sent: string[] = [];
      const batcher = new OutputBatcher(async (text) => void sent.push(text), 250);
      for (const piece of ['a', 'b', 'c']) batcher.write(piece);
      expect(sent).toEqual([]);
      await jest.advanceTimersByTimeAsync(250);
      expect(sent).toEqual(['abc']);
      batcher.write('d');
      batcher.write('e');
      await batcher.flush();
      expect(sent).toEqual(['abc', 'de']);
      await batcher.flush();
      expect(sent).toEqual(['abc', 'de']);
    });
  });
});
