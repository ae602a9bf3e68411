import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emailFeedback, inboundEmails, userDailyAnalytics, userExports } from '@foreman/db';
import { startTestApi, type TestApi } from './test-api.js';

describe('email feedback, analytics and export download routes', () => {
  let api: TestApi;
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'foreman-api-exports-'));
    api = await startTestApi('api_email_intel', { fileRoots: [root] });
  });
  afterAll(async () => {
    await api.close();
    await rm(root, { recursive: true, force: true });
  });

  const post = (key: string, path: string, body: unknown) =>
    api.call(key, path, { method: 'POST', body: JSON.stringify(body) });

  it("stores a correction of the owner's message only, replacing an earlier one", async () => {
    const db = api.testDb.database.db;
    const [message] = await db
      .insert(inboundEmails)
      .values({ userId: 'alice', fromAddress: 'deals@shop.test', subject: 'Offer' })
      .returning();
    const path = `/emails/${message!.id}/feedback`;
    expect((await post(api.bobKey, path, { category: 'work' })).status).toBe(404);
    // Admins do not correct other users' mail either: a correction is the owner's word.
    expect((await post(api.adminKey, path, { category: 'work' })).status).toBe(404);
    expect((await post(api.aliceKey, path, {})).status).toBe(400);
    expect((await post(api.aliceKey, path, { category: 'Work!' })).status).toBe(400);
    expect((await post(api.aliceKey, path, { category: 'work', notCategory: 'work' })).status).toBe(400);
    expect((await post(api.aliceKey, '/emails/not-a-uuid/feedback', { category: 'work' })).status).toBe(400);

    const first = await post(api.aliceKey, path, { category: 'promotions' });
    expect(first.status).toBe(201);
    const second = await post(api.aliceKey, path, { notCategory: 'promotions' });
    expect(await second.json()).toMatchObject({
      emailId: message!.id,
      category: null,
      notCategory: 'promotions',
    });
    const stored = await db.select().from(emailFeedback);
    expect(stored).toEqual([
      expect.objectContaining({ userId: 'alice', rejectedCategory: 'promotions', category: null }),
    ]);

    const mine = (await (await api.call(api.aliceKey, '/emails/feedback')).json()) as { feedback: unknown[] };
    expect(mine.feedback).toHaveLength(1);
    const bobs = (await (await api.call(api.bobKey, '/emails/feedback')).json()) as { feedback: unknown[] };
    expect(bobs.feedback).toEqual([]);
  });

  it("serves a user's own analytics, and another user's to admins only", async () => {
    const day = (userId: string, date: string, emailsReceived: number) => ({
      userId,
      day: date,
      emailsReceived,
      categories: { work: emailsReceived },
      replies: 0,
      tasksCompleted: 1,
      tasksFailed: 0,
      tasksCancelled: 0,
      tasksByName: { 'email.send_email': { completed: 1 } },
    });
    await api.testDb.database.db
      .insert(userDailyAnalytics)
      .values([
        day('alice', '2026-05-01', 3),
        day('alice', '2026-05-02', 5),
        day('alice', '2026-06-01', 9),
        day('bob', '2026-05-01', 7),
      ]);
    const range = 'from=2026-05-01&to=2026-05-31';
    const own = await api.call(api.aliceKey, `/analytics?${range}`);
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({
      userId: 'alice',
      days: [
        { day: '2026-05-01', emailsReceived: 3, categories: { work: 3 } },
        { day: '2026-05-02', emailsReceived: 5 },
      ],
    });
    expect((await api.call(api.aliceKey, `/analytics?${range}&userId=bob`)).status).toBe(403);
    const asAdmin = await api.call(api.adminKey, `/analytics?${range}&userId=bob`);
    expect(await asAdmin.json()).toMatchObject({ userId: 'bob', days: [{ emailsReceived: 7 }] });
    expect((await api.call(api.aliceKey, '/analytics?from=2026-05-31&to=2026-05-01')).status).toBe(400);
    expect((await api.call(api.aliceKey, '/analytics?from=yesterday&to=2026-05-01')).status).toBe(400);
  });

  it('streams an export to its owner with its SHA-256, and to no one else', async () => {
    const db = api.testDb.database.db;
    const bytes = Buffer.from('PK\u0003\u0004 a zip, as far as this route cares');
    const path = join(root, 'exports', 'alice', 'task-1.zip');
    await mkdir(join(root, 'exports', 'alice'), { recursive: true });
    await writeFile(path, bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const [row, outside] = await db
      .insert(userExports)
      .values([
        { userId: 'alice', taskId: 'task-1', path, bytes: bytes.length, sha256, messages: 1 },
        // A row naming a file outside the roots is never served, whatever it says.
        { userId: 'alice', taskId: 'task-2', path: '/etc/hostname', bytes: 1, sha256, messages: 0 },
      ])
      .returning();

    const download = await api.call(api.aliceKey, `/exports/${row!.id}/download`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/zip');
    expect(download.headers.get('content-digest')).toBe(
      `sha-256=:${Buffer.from(sha256, 'hex').toString('base64')}:`,
    );
    const body = Buffer.from(await download.arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(sha256);

    for (const key of [api.bobKey, api.adminKey]) {
      const refused = await api.call(key, `/exports/${row!.id}/download`);
      expect(refused.status).toBe(404);
      expect(await refused.json()).toMatchObject({ error: { code: 'EXPORT_NOT_FOUND' } });
    }
    const escaped = await api.call(api.aliceKey, `/exports/${outside!.id}/download`);
    expect(await escaped.json()).toMatchObject({ error: { code: 'EXPORT_FILE_GONE' } });
    const listed = (await (await api.call(api.aliceKey, '/exports')).json()) as {
      exports: Array<{ id: string }>;
    };
    expect(listed.exports.map((item) => item.id).sort()).toEqual([row!.id, outside!.id].sort());
    expect(await (await api.call(api.bobKey, '/exports')).json()).toEqual({ exports: [] });
  });

  it('lists the new task types, each run by users on their own data', async () => {
    const { taskTypes } = (await (await api.call(api.aliceKey, '/task-types')).json()) as {
      taskTypes: Array<{ name: string; audience: string }>;
    };
    const audience = Object.fromEntries(taskTypes.map((type) => [type.name, type.audience]));
    expect(audience).toMatchObject({
      'email.classify_email_batch': 'user',
      'email.reclassify_with_feedback': 'user',
      'email.cluster_user_emails': 'user',
      'email.update_sender_reputation': 'user',
      'file.export_user_data': 'user',
      'maintenance.update_analytics': 'user',
    });
    const refused = await post(api.aliceKey, '/tasks/file.export_user_data', { userId: 'bob' });
    expect(refused.status).toBe(403);
    const accepted = await post(api.aliceKey, '/tasks/file.export_user_data', { userId: 'alice' });
    expect(accepted.status).toBe(202);
    expect((await post(api.aliceKey, '/tasks/maintenance.update_analytics', {})).status).toBe(403);
  });

  it('documents the routes in the OpenAPI description', async () => {
    const doc = (await (await api.call(undefined, '/openapi.json')).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/emails/{id}/feedback',
        '/emails/feedback',
        '/analytics',
        '/exports',
        '/exports/{id}/download',
      ]),
    );
  });
});
