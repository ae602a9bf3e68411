import { declareSchedule, defineTask, EVERY_USER } from '@foreman/core/producer';
import { z } from 'zod';
import { QUEUES } from './queues.js';

export const fetchUrl = defineTask({
  name: 'sync.fetch_url',
  queue: QUEUES.sync,
  description: 'Fetches a URL and reports its status, validators, size and SHA-256.',
  payload: z
    .object({
      url: z.url({ protocol: /^https?$/ }),
      etag: z.string().optional(),
    })
    .strict(),
  result: z.object({
    status: z.number().int(),
    notModified: z.boolean(),
    etag: z.string().nullable(),
    bytes: z.number().int().nonnegative(),
    sha256: z.string().nullable(),
  }),
  retry: { attempts: 3 },
  timeoutMs: 60_000,
});

export const syncCalendarEvents = defineTask({
  name: 'sync.sync_calendar_events',
  queue: QUEUES.sync,
  ownedBy: ({ feedId }) => (feedId === undefined ? EVERY_USER : { table: 'calendar_feeds', id: feedId }),
  description:
    'Fetches iCalendar feeds (If-None-Match), upserts their events, removes deleted ones, and resolves conflicts with local edits by last-modified.',
  payload: z.object({ feedId: z.uuid().optional() }).strict(),
  result: z.object({
    feeds: z.number().int(),
    notModified: z.number().int(),
    upserted: z.number().int(),
    deleted: z.number().int(),
    conflicts: z.number().int(),
    errors: z.array(z.object({ id: z.string(), error: z.string() })),
  }),
  retry: { attempts: 3, delayMs: 30_000 },
  timeoutMs: 30 * 60_000,
  // One sync per calendar feed (all feeds: one key of its own) across every sync-worker replica.
  flow: { key: ({ feedId }) => feedId ?? 'all', concurrency: 1 },
});

export const syncNotionPages = defineTask({
  name: 'sync.sync_notion_pages',
  queue: QUEUES.sync,
  audience: 'system',
  description:
    'Pages through the Notion-style search API by cursor, newest edits first, down to the last sync; upserts pages and marks archived ones.',
  payload: z.object({ full: z.boolean().default(false) }).strict(),
  result: z.object({
    full: z.boolean(),
    requests: z.number().int(),
    fetched: z.number().int(),
    upserted: z.number().int(),
    archived: z.number().int(),
    cursor: z.string().nullable(),
  }),
  retry: { attempts: 3, delayMs: 30_000 },
  timeoutMs: 30 * 60_000,
  // One source with one shared cursor: two runs at once would page over each other.
  flow: { key: () => 'notion', concurrency: 1 },
});

export const schedules = [
  declareSchedule({
    id: 'sync.sync_calendar_events.hourly',
    task: syncCalendarEvents,
    payload: {},
    everyMs: 60 * 60_000,
    description: 'Syncs every calendar feed hourly',
    // A slow sync never runs twice at once, and the change that came meanwhile is not lost.
    overlapPolicy: 'queue_one',
  }),
  declareSchedule({
    id: 'sync.sync_notion_pages.every-2h',
    task: syncNotionPages,
    payload: {},
    everyMs: 2 * 60 * 60_000,
    description: 'Syncs pages edited since the last run every two hours',
  }),
];
