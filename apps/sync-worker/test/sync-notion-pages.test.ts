import { NonRetryableError } from '@foreman/core';
import { eq, pages, syncCursors } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { GuardedFetch } from '@foreman/net';
import { PoliteFetch } from '../src/http/polite-fetch.js';
import { type SyncNotionPagesDeps, syncNotionPagesTask } from '../src/tasks/sync-notion-pages.js';
import { closedPort, type Peer, startPeer } from './remote-peers.js';

const context = { signal: new AbortController().signal, progress: async () => {} } as never;

interface RemotePage {
  id: string;
  title: string;
  edited: string;
  archived?: boolean;
}

describe('sync.sync_notion_pages against a paged pages API on loopback', () => {
  let peer: Peer;
  let testDb: TestDatabase;
  let remote: RemotePage[] = [];
  const seen: Array<{ auth?: string; version?: string; body: Record<string, unknown> }> = [];
  let rateLimitNext = false;
  let malformed = false;
  beforeAll(async () => {
    peer = await startPeer();
    testDb = await createTestDatabase('pages');
    // Notion's search: newest edit first, page_size per page, an opaque cursor to the next page.
    peer.route('/v1/search', (request, response, raw) => {
      const body = JSON.parse(raw) as { page_size: number; start_cursor?: string };
      seen.push({
        auth: request.headers.authorization,
        version: request.headers['notion-version'] as string,
        body,
      });
      if (rateLimitNext) {
        rateLimitNext = false;
        return void response.writeHead(429, { 'retry-after': '1' }).end('{"code":"rate_limited"}');
      }
      if (malformed)
        return void response.writeHead(200, { 'content-type': 'application/json' }).end('{"results":5}');
      const sorted = [...remote].sort((a, b) => b.edited.localeCompare(a.edited));
      const start = body.start_cursor ? Number(body.start_cursor) : 0;
      const slice = sorted.slice(start, start + body.page_size);
      const more = start + body.page_size < sorted.length;
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          object: 'list',
          results: slice.map((page) => ({
            object: 'page',
            id: page.id,
            last_edited_time: page.edited,
            archived: page.archived ?? false,
            url: `https://notion.example/${page.id}`,
            properties: { Name: { type: 'title', title: [{ plain_text: page.title }] } },
          })),
          has_more: more,
          next_cursor: more ? String(start + body.page_size) : null,
        }),
      );
    });
  });
  afterAll(async () => {
    await peer.close();
    await testDb.drop();
  });

  // The peer listens on loopback: allowed by name, as a deployment allows an internal host.
  const http = new GuardedFetch({ allowedHosts: ['127.0.0.1'] });
  afterAll(() => http.close());
  const db = () => testDb.database.db;
  const task = (overrides: Partial<SyncNotionPagesDeps> = {}) =>
    syncNotionPagesTask({
      db: db(),
      http: new PoliteFetch({ http, minIntervalMs: 10, maxRetryAfterMs: 5_000, timeoutMs: 5_000 }),
      apiUrl: peer.url,
      token: 'secret-token',
      notionVersion: '2022-06-28',
      pageSize: 2,
      ...overrides,
    });
  const stored = async () =>
    Object.fromEntries((await db().select().from(pages)).map((row) => [row.remoteId, row]));

  it('pages through everything on the first run, then only what changed since, with deletions archived', async () => {
    remote = [
      { id: 'p1', title: 'Roadmap', edited: '2026-03-01T10:00:00.000Z' },
      { id: 'p2', title: 'Hiring', edited: '2026-03-02T10:00:00.000Z' },
      { id: 'p3', title: 'Budget', edited: '2026-03-03T10:00:00.000Z' },
      { id: 'p4', title: 'Old notes', edited: '2026-02-01T10:00:00.000Z' },
      { id: 'p5', title: 'Retro', edited: '2026-03-04T10:00:00.000Z' },
    ];
    const first = await task().handler({ full: false }, context);
    expect(first).toMatchObject({ requests: 3, fetched: 5, archived: 0, cursor: '2026-03-04T10:00:00.000Z' });
    expect(seen[0]).toMatchObject({ auth: 'Bearer secret-token', version: '2022-06-28' });
    expect(seen[0]?.body).toMatchObject({
      sort: { direction: 'descending', timestamp: 'last_edited_time' },
      page_size: 2,
    });
    const afterFirst = await stored();
    expect(Object.keys(afterFirst).sort()).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);

    // p2 renamed, p3 deleted (archived), p6 new; a 429 on the way is waited out.
    remote = remote.map((page) =>
      page.id === 'p2'
        ? { ...page, title: 'Hiring plan', edited: '2026-03-05T09:00:00.000Z' }
        : page.id === 'p3'
          ? { ...page, archived: true, edited: '2026-03-05T10:00:00.000Z' }
          : page,
    );
    remote.push({ id: 'p6', title: 'Launch', edited: '2026-03-05T11:00:00.000Z' });
    rateLimitNext = true;
    const before = seen.length;
    const second = await task().handler({ full: false }, context);
    // Three changed pages plus the edge page at the cursor, which is fetched again harmlessly.
    expect(second).toMatchObject({ fetched: 4, archived: 1, cursor: '2026-03-05T11:00:00.000Z' });
    expect(seen.length - before).toBe(second.requests + 1);
    const now = await stored();
    expect(now.p2).toMatchObject({ title: 'Hiring plan', archived: false });
    expect(now.p3).toMatchObject({ archived: true });
    expect(now.p6).toMatchObject({ title: 'Launch', url: 'https://notion.example/p6' });
    // Pages older than the cursor were not fetched again.
    expect(now.p1?.syncedAt).toEqual(afterFirst.p1?.syncedAt);

    expect(await task().handler({ full: false }, context)).toMatchObject({ fetched: 1, requests: 1 });
    expect(await task().handler({ full: true }, context)).toMatchObject({ fetched: 6, requests: 3 });
  });

  it('keeps the previous sync intact when the API answers nonsense, and refuses to run without a token', async () => {
    const cursorBefore = (
      await db().select().from(syncCursors).where(eq(syncCursors.name, 'notion:pages'))
    )[0];
    malformed = true;
    try {
      const error = await Promise.resolve(task().handler({ full: true }, context)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NonRetryableError);
      expect((error as Error).message).toMatch(/malformed search response/);
    } finally {
      malformed = false;
    }
    const cursorAfter = (
      await db().select().from(syncCursors).where(eq(syncCursors.name, 'notion:pages'))
    )[0];
    expect(cursorAfter?.cursor).toBe(cursorBefore?.cursor);
    await expect(task({ token: undefined }).handler({ full: false }, context)).rejects.toThrow(
      /NOTION_API_TOKEN/,
    );
  });

  it('fails for good when the API URL is a private address not allowed', async () => {
    const internal = task({ apiUrl: 'http://10.0.0.1' });
    const error = await Promise.resolve(internal.handler({ full: false }, context)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetryableError);
    expect((error as Error).message).toMatch(/10\.0\.0\.1 is not a public address/);
  });

  it('fails retryably when the API cannot be reached', async () => {
    const unreachable = task({ apiUrl: `http://127.0.0.1:${await closedPort()}` });
    const error = await Promise.resolve(unreachable.handler({ full: false }, context)).catch(
      (e: unknown) => e,
    );
    expect(error).not.toBeInstanceOf(NonRetryableError);
    expect(error).toMatchObject({ code: 'REMOTE_REQUEST_FAILED', retryable: true });
    expect((error as Error).message).toMatch(/unreachable: ECONNREFUSED/);
  });
});
