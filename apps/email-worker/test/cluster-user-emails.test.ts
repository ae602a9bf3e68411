import { EmbeddingClient } from '@foreman/ai-client';
import { embeddings, type ModelServer, replyJson, startModelServer } from '@foreman/ai-client/testing';
import { emailClusterMembers, emailClusters, eq, inboundEmails } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { clusterUserEmailsTask } from '../src/tasks/cluster-user-emails.js';

const context = { signal: new AbortController().signal, progress: async () => {} } as never;

const TOPICS = {
  billing: [
    'Invoice 1042 payment due',
    'Payment reminder for invoice 1043',
    'Your invoice is overdue, payment required',
    'Receipt: payment received for invoice 1044',
    'Invoice 1045 attached, payment within 14 days',
    'Second reminder: invoice payment overdue',
  ],
  flights: [
    'Flight booking confirmed to Oslo',
    'Boarding pass for your flight to Oslo',
    'Your flight departure gate changed',
    'Flight check-in open: choose your seat',
    'Booking change: flight to Oslo delayed',
    'Boarding starts soon for your flight',
  ],
  football: [
    'Football match on Saturday: team lineup',
    'Match report: our team scored three goals',
    'Football training moved, match next week',
    'Team photo after the football match',
    'Goals of the match and league table',
    'Football league: next match away',
  ],
};

describe('email.cluster_user_emails', () => {
  let testDb: TestDatabase;
  let model: ModelServer;
  beforeAll(async () => {
    testDb = await createTestDatabase('cluster_emails');
    model = await startModelServer();
    const rows = Object.entries(TOPICS).flatMap(([topic, subjects]) =>
      subjects.map((subject, index) => ({
        userId: 'ada',
        fromAddress: `${topic}@example.test`,
        subject,
        body: `${subject}.`,
        receivedAt: new Date(Date.UTC(2026, 0, 1 + index)),
      })),
    );
    await testDb.database.db.insert(inboundEmails).values(rows);
    await testDb.database.db
      .insert(inboundEmails)
      .values({ userId: 'bob', fromAddress: 'x@example.test', subject: 'Invoice payment' });
  });
  afterAll(async () => {
    await model.close();
    await testDb.drop();
  });

  /** The topic of each stored cluster's members, one set per cluster. */
  async function topicsByCluster(userId: string) {
    const db = testDb.database.db;
    const rows = await db
      .select({ clusterId: emailClusterMembers.clusterId, from: inboundEmails.fromAddress })
      .from(emailClusterMembers)
      .innerJoin(inboundEmails, eq(inboundEmails.id, emailClusterMembers.emailId))
      .where(eq(emailClusterMembers.userId, userId));
    const byCluster = new Map<string, Set<string>>();
    for (const row of rows) {
      byCluster.set(
        row.clusterId,
        (byCluster.get(row.clusterId) ?? new Set()).add(row.from.split('@')[0] as string),
      );
    }
    return [...byCluster.values()].map((topics) => [...topics].sort().join(','));
  }

  it('puts clearly separate topics in separate clusters from TF-IDF and labels them by their terms', async () => {
    const db = testDb.database.db;
    const task = clusterUserEmailsTask({ db });
    const result = await task.handler({ userId: 'ada', clusters: 3, limit: 2_000 }, context);
    expect(result.method).toBe('tfidf');
    expect(result.messages).toBe(18);
    expect(result.clusters.map((cluster) => cluster.size)).toEqual([6, 6, 6]);
    expect((await topicsByCluster('ada')).sort()).toEqual(['billing', 'flights', 'football']);
    const labels = result.clusters.map((cluster) => cluster.label).join(' | ');
    expect(labels).toMatch(/invoice|payment/);
    expect(labels).toMatch(/flight|boarding/);
    expect(labels).toMatch(/football|match/);

    // A second run replaces the clusters rather than adding to them; bob's mail is not touched.
    await task.handler({ userId: 'ada', clusters: 3, limit: 2_000 }, context);
    expect(await db.select().from(emailClusters).where(eq(emailClusters.userId, 'ada'))).toHaveLength(3);
    expect(await db.select().from(emailClusterMembers).where(eq(emailClusterMembers.userId, 'bob'))).toEqual(
      [],
    );
  });

  it('clusters embeddings from the model server when one is configured', async () => {
    const axes = [/invoice|payment/, /flight|boarding/, /football|match|goal/];
    model.reply(({ body, path }, response) => {
      if (path !== '/v1/embeddings') return replyJson(response, 404, { error: 'no such route' });
      // A toy embedder: which topic's words the text names, plus a little of the text's length.
      const input = body.input as string[];
      replyJson(
        response,
        200,
        embeddings(
          input.map((text) => [
            ...axes.map((words) => (words.test(text.toLowerCase()) ? 1 : 0)),
            text.length / 1_000,
          ]),
        ),
      );
    });
    const task = clusterUserEmailsTask({
      db: testDb.database.db,
      embeddings: new EmbeddingClient({ baseUrl: model.baseUrl, model: 'embedder' }),
    });
    const result = await task.handler({ userId: 'ada', clusters: 3, limit: 2_000 }, context);
    expect(result.method).toBe('embeddings');
    expect(model.requests.at(-1)).toMatchObject({ model: 'embedder' });
    expect((await topicsByCluster('ada')).sort()).toEqual(['billing', 'flights', 'football']);

    const fallback = await task.handler(
      { userId: 'ada', clusters: 3, limit: 2_000, useEmbeddings: false },
      context,
    );
    expect(fallback.method).toBe('tfidf');
  });

  it('gives a user with nothing in common between messages one topic, and one without mail none', async () => {
    const db = testDb.database.db;
    await db.insert(inboundEmails).values([
      { userId: 'dee', fromAddress: 'a@example.test', subject: 'Alpha', body: 'zebra' },
      { userId: 'dee', fromAddress: 'b@example.test', subject: 'Omega', body: 'quokka' },
    ]);
    const task = clusterUserEmailsTask({ db });
    const result = await task.handler({ userId: 'dee', clusters: 2, limit: 100 }, context);
    expect(result.clusters).toEqual([expect.objectContaining({ label: 'misc', size: 2 })]);
    expect(await task.handler({ userId: 'nobody', limit: 100 }, context)).toEqual({
      method: 'tfidf',
      messages: 0,
      clusters: [],
    });
  });

  it('refuses to use embeddings when no model is configured', async () => {
    const task = clusterUserEmailsTask({ db: testDb.database.db });
    await expect(
      task.handler({ userId: 'ada', limit: 10, useEmbeddings: true }, context),
    ).rejects.toMatchObject({ name: 'NonRetryableError' });
  });
});
