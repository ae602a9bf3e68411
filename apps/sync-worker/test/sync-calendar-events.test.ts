import { NonRetryableError } from '@foreman/core';
import { calendarConflicts, calendarEvents, calendarFeeds, eq } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { GuardedFetch } from '@foreman/net';
import { PoliteFetch } from '../src/http/polite-fetch.js';
import { syncCalendarEventsTask } from '../src/tasks/sync-calendar-events.js';
import { closedPort, type FeedEvent, icsFeed, type Peer, startPeer } from './remote-peers.js';

const context = { signal: new AbortController().signal, progress: async () => {} } as never;

describe('sync.sync_calendar_events against feeds served on loopback', () => {
  let peer: Peer;
  let testDb: TestDatabase;
  let feed: { body: string; etag: string };
  beforeAll(async () => {
    peer = await startPeer();
    testDb = await createTestDatabase('calendar');
    peer.route('/team.ics', (request, response) => {
      if (request.headers['if-none-match'] === feed.etag) return void response.writeHead(304).end();
      response.writeHead(200, { 'content-type': 'text/calendar', etag: feed.etag }).end(feed.body);
    });
    peer.route(
      '/broken.ics',
      (_req, response) => void response.writeHead(200).end('<html>not a calendar</html>'),
    );
    peer.route('/gone.ics', (_req, response) => void response.writeHead(404).end());
    let limited = 0;
    peer.route('/limited.ics', (_req, response) => {
      limited += 1;
      if (limited === 1) return void response.writeHead(429, { 'retry-after': '1' }).end();
      response.writeHead(200).end(
        icsFeed([
          {
            uid: 'l1',
            summary: 'Rate limited but fine',
            start: '20260301',
            lastModified: '20260101T000000Z',
          },
        ]),
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
  const task = () =>
    syncCalendarEventsTask({
      db: db(),
      http: new PoliteFetch({ http, minIntervalMs: 10, maxRetryAfterMs: 5_000, timeoutMs: 5_000 }),
      maxFeedBytes: 1_000_000,
    });
  const events = async (feedId: string) =>
    Object.fromEntries(
      (await db().select().from(calendarEvents).where(eq(calendarEvents.feedId, feedId))).map((row) => [
        row.uid,
        row,
      ]),
    );
  const feedRow = async (id: string) =>
    (await db().select().from(calendarFeeds).where(eq(calendarFeeds.id, id)))[0]!;

  const v1: FeedEvent[] = [
    {
      uid: 'standup',
      summary: 'Standup',
      start: '20260302T090000Z',
      end: '20260302T091500Z',
      lastModified: '20260101T000000Z',
    },
    {
      uid: 'review',
      summary: 'Review',
      start: '20260303T140000Z',
      end: '20260303T150000Z',
      lastModified: '20260101T000000Z',
    },
    { uid: 'offsite', summary: 'Offsite', start: '20260310', lastModified: '20260101T000000Z' },
    { uid: 'retro', summary: 'Retro', start: '20260305T160000Z', lastModified: '20260101T000000Z' },
    { uid: 'planning', summary: 'Planning', start: '20260306T100000Z', lastModified: '20260101T000000Z' },
  ];

  it('imports every feed it can, and gives each bad one a clear error without touching the others', async () => {
    feed = { body: icsFeed(v1), etag: '"v1"' };
    const [team, broken, gone, nowhere, badUrl, limited, metadata] = await db()
      .insert(calendarFeeds)
      .values([
        { userId: 'ada', url: `${peer.url}/team.ics` },
        { userId: 'ada', url: `${peer.url}/broken.ics` },
        { userId: 'ada', url: `${peer.url}/gone.ics` },
        { userId: 'ada', url: `http://127.0.0.1:${await closedPort()}/cal.ics` },
        { userId: 'ada', url: 'ftp://example.test/cal.ics' },
        { userId: 'bob', url: `${peer.url}/limited.ics` },
        { userId: 'bob', url: 'http://169.254.169.254/latest/meta-data' },
      ])
      .returning();

    const result = await task().handler({}, context);
    expect(result).toMatchObject({ feeds: 7, upserted: 6, deleted: 0, conflicts: 0 });
    const byFeed = Object.fromEntries(result.errors.map((e) => [e.id, e.error]));
    expect(byFeed[broken!.id]).toMatch(/^invalid iCalendar feed/);
    expect(byFeed[gone!.id]).toMatch(/answered 404/);
    expect(byFeed[nowhere!.id]).toMatch(/unreachable: ECONNREFUSED/);
    expect(byFeed[badUrl!.id]).toMatch(/not an http\(s\) URL/);
    expect(byFeed[metadata!.id]).toMatch(/169\.254\.169\.254 is not a public address/);
    expect(Object.keys(byFeed)).toHaveLength(5);
    expect((await feedRow(broken!.id)).lastError).toMatch(/invalid iCalendar feed/);
    expect(await events(broken!.id)).toEqual({});

    const imported = await events(team!.id);
    expect(Object.keys(imported).sort()).toEqual(['offsite', 'planning', 'retro', 'review', 'standup']);
    expect(imported.offsite).toMatchObject({ allDay: true, userId: 'ada' });
    expect(imported.standup?.startsAt.toISOString()).toBe('2026-03-02T09:00:00.000Z');
    expect(await feedRow(team!.id)).toMatchObject({ etag: '"v1"', lastError: null });
    expect(Object.keys(await events(limited!.id))).toEqual(['l1']);
    expect(peer.hits('/limited.ics')).toBe(2);

    // Unchanged feed: a conditional request, answered 304, changes nothing.
    const again = await task().handler({ feedId: team!.id }, context);
    expect(again).toMatchObject({ feeds: 1, notModified: 1, upserted: 0 });
  });

  it('applies a changed, a deleted and a new event, and settles conflicts with local edits by last-modified', async () => {
    const [team] = await db()
      .select()
      .from(calendarFeeds)
      .where(eq(calendarFeeds.url, `${peer.url}/team.ics`));
    const local = await events(team!.id);
    // Local edits: "retro" edited after the remote's coming change, "planning" before it.
    await db()
      .update(calendarEvents)
      .set({ summary: 'Retro (moved room)', localModifiedAt: new Date('2026-02-20T00:00:00Z') })
      .where(eq(calendarEvents.id, local.retro!.id));
    await db()
      .update(calendarEvents)
      .set({ summary: 'Planning (my notes)', localModifiedAt: new Date('2026-02-01T00:00:00Z') })
      .where(eq(calendarEvents.id, local.planning!.id));

    feed = {
      etag: '"v2"',
      body: icsFeed([
        {
          ...v1[0]!,
          summary: 'Standup (new time)',
          start: '20260302T093000Z',
          end: '20260302T094500Z',
          lastModified: '20260210T000000Z',
          sequence: 1,
        },
        v1[2]!,
        { ...v1[3]!, summary: 'Retro (remote)', lastModified: '20260215T000000Z', sequence: 1 },
        { ...v1[4]!, summary: 'Planning (remote)', lastModified: '20260215T000000Z', sequence: 1 },
        { uid: 'launch', summary: 'Launch', start: '20260320T120000Z', lastModified: '20260215T000000Z' },
      ]),
    };
    const result = await task().handler({ feedId: team!.id }, context);
    expect(result).toMatchObject({ notModified: 0, upserted: 4, deleted: 1, conflicts: 2, errors: [] });

    const now = await events(team!.id);
    expect(Object.keys(now).sort()).toEqual(['launch', 'offsite', 'planning', 'retro', 'standup']);
    expect(now.standup).toMatchObject({ summary: 'Standup (new time)', sequence: 1 });
    expect(now.standup?.startsAt.toISOString()).toBe('2026-03-02T09:30:00.000Z');
    expect(now.retro).toMatchObject({ summary: 'Retro (moved room)', sequence: 1 });
    expect(now.retro?.localModifiedAt).not.toBeNull();
    expect(now.planning).toMatchObject({ summary: 'Planning (remote)', localModifiedAt: null });
    expect(await feedRow(team!.id)).toMatchObject({ etag: '"v2"' });

    const log = await db().select().from(calendarConflicts).where(eq(calendarConflicts.feedId, team!.id));
    const byUid = Object.fromEntries(log.map((row) => [row.uid, row]));
    expect(byUid.retro).toMatchObject({ winner: 'local' });
    expect(byUid.retro?.local).toMatchObject({ summary: 'Retro (moved room)' });
    expect(byUid.retro?.remote).toMatchObject({ summary: 'Retro (remote)' });
    expect(byUid.planning).toMatchObject({ winner: 'remote' });

    // A sync of the same feed again logs no new conflict: the local side already knows that version.
    feed = { ...feed, etag: '"v2b"' };
    expect(await task().handler({ feedId: team!.id }, context)).toMatchObject({ conflicts: 0, upserted: 0 });
  });

  it('fails a single-feed sync with the feed error on the task', async () => {
    const [broken] = await db()
      .select()
      .from(calendarFeeds)
      .where(eq(calendarFeeds.url, `${peer.url}/broken.ics`));
    await expect(task().handler({ feedId: broken!.id }, context)).rejects.toThrow(NonRetryableError);
    await expect(task().handler({ feedId: '00000000-0000-4000-8000-000000000000' }, context)).rejects.toThrow(
      /does not exist/,
    );
  });

  it('fails a feed on a host that does not exist for good, one that refuses for a retry', async () => {
    const [unknownHost, refusing] = await db()
      .insert(calendarFeeds)
      .values([
        { userId: 'ada', url: 'http://does-not-exist.invalid/cal.ics' },
        { userId: 'ada', url: `http://127.0.0.1:${await closedPort()}/cal.ics` },
      ])
      .returning();
    const error = await Promise.resolve(task().handler({ feedId: unknownHost!.id }, context)).catch((e) => e);
    expect(error).toBeInstanceOf(NonRetryableError);
    expect((error as Error).message).toMatch(/unreachable: ENOTFOUND/);
    const refused = await Promise.resolve(task().handler({ feedId: refusing!.id }, context)).catch((e) => e);
    expect(refused).not.toBeInstanceOf(NonRetryableError);
  });
});
