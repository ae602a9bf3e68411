import { ChatClient } from '@foreman/ai-client';
import { completion, type ModelServer, replyJson, startModelServer } from '@foreman/ai-client/testing';
import { emailRules, inboundEmails } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { categorizeEmailsTask } from '../src/tasks/categorize-emails.js';

const context = { signal: new AbortController().signal, progress: async () => {} } as never;

describe('email.categorize_emails by rules and a model on loopback', () => {
  let model: ModelServer;
  let testDb: TestDatabase;
  beforeAll(async () => {
    model = await startModelServer();
    testDb = await createTestDatabase('categorize');
  });
  afterAll(async () => {
    await model.close();
    await testDb.drop();
  });

  it('applies rules in order, asks the model about the rest, and leaves failures for the next run', async () => {
    const db = testDb.database.db;
    await db.insert(emailRules).values([
      { field: 'sender', pattern: '@bank.test', category: 'finance', position: 1 },
      { userId: 'ada', field: 'keyword', pattern: 'invoice', category: 'finance', position: 2 },
      { field: 'subject', pattern: 'weekly news', category: 'newsletter', position: 3 },
      { userId: 'bob', field: 'keyword', pattern: 'standup', category: 'work', position: 4 },
    ]);
    const message = (userId: string, fromAddress: string, subject: string, body = '') => ({
      userId,
      fromAddress,
      subject,
      body,
    });
    await db
      .insert(inboundEmails)
      .values([
        message('ada', 'alerts@Bank.test', 'Statement ready'),
        message('ada', 'shop@example.test', 'Your order', 'Your INVOICE is attached.'),
        message('ada', 'x@example.test', 'Invoices? no', 'invoiced yesterday'),
        message('bob', 'list@example.test', 'Weekly News #12'),
        message('ada', 'boss@example.test', 'Planning', 'standup moved'),
        message('ada', 'friend@example.test', 'Dinner?', 'gibberish please'),
        message('ada', 'server@example.test', 'Disk', 'fail please'),
      ]);
    model.reply(({ body }, response) => {
      const prompt = (body.messages as Array<{ content: string }>).at(-1)!.content;
      if (prompt.includes('fail please')) return replyJson(response, 500, { error: 'boom' });
      if (prompt.includes('gibberish')) return replyJson(response, 200, completion('I think maybe cooking'));
      replyJson(response, 200, completion(prompt.includes('Planning') ? 'Work.' : 'personal'));
    });

    const task = categorizeEmailsTask({
      db,
      chat: new ChatClient({ baseUrl: model.baseUrl, model: 'tiny' }),
      useAiByDefault: true,
      categories: ['work', 'personal', 'other'],
      defaultCategory: 'other',
    });
    const result = await task.handler({ limit: 100 }, context);
    expect(result).toMatchObject({ categorized: 6, byRule: 3, byAi: 2, byDefault: 1 });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.error).toMatch(/answered 500/);

    const rows = await db.select().from(inboundEmails);
    const bySubject = Object.fromEntries(rows.map((row) => [row.subject, row]));
    expect(bySubject['Statement ready']).toMatchObject({ category: 'finance' });
    expect(bySubject['Your order']).toMatchObject({ category: 'finance' });
    expect(bySubject['Weekly News #12']).toMatchObject({ category: 'newsletter' });
    // "invoiced" is not the keyword "invoice"; bob's standup rule is not ada's.
    expect(bySubject['Invoices? no']).toMatchObject({ category: 'personal', categorizedBy: 'ai' });
    expect(bySubject.Planning).toMatchObject({ category: 'work', categorizedBy: 'ai' });
    expect(bySubject['Dinner?']).toMatchObject({ category: 'other', categorizedBy: 'default' });
    expect(bySubject.Disk).toMatchObject({ category: null, categorizedAt: null });
    const systemPrompt = (model.requests[0]!.messages as Array<{ content: string }>)[0]!.content;
    expect(systemPrompt).toContain('work, personal, other, finance');

    model.reply((_r, response) => replyJson(response, 200, completion('work')));
    const retried = await task.handler({ limit: 100, useAi: false }, context);
    expect(retried).toMatchObject({ categorized: 1, byDefault: 1, errors: [] });
  });
});
