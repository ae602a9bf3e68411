import { sync } from '@foreman/contracts';
import { implementTask, NonRetryableError } from '@foreman/core/task';
import { type Db, eq, pages, sql, syncCursors } from '@foreman/db';
import { GuardedFetchError } from '@foreman/net';
import type { PoliteFetch } from '../http/polite-fetch.js';
import { type NotionPage, pageTitle, searchResponseSchema } from '../pages/notion-search.js';

export interface SyncNotionPagesDeps {
  db: Db;
  http: PoliteFetch;
  apiUrl: string;
  token: string | undefined;
  notionVersion: string;
  pageSize: number;
}

const SOURCE = 'notion';
const CURSOR = 'notion:pages';

/**
 * Incremental page sync: asks for pages newest edit first and stops at the first one not edited
 * since the stored cursor. Everything fetched is applied, and the cursor moved, in one transaction
 * at the end, so a failure part-way leaves the previous sync intact and the next run starts over.
 */
export function syncNotionPagesTask(deps: SyncNotionPagesDeps) {
  return implementTask(sync.syncNotionPages, async ({ full }, context) => {
    if (!deps.token) throw new NonRetryableError('NOTION_API_TOKEN is not set');
    const [stored] = await deps.db.select().from(syncCursors).where(eq(syncCursors.name, CURSOR));
    const since = full || !stored?.cursor ? undefined : new Date(stored.cursor);
    const fetched: NotionPage[] = [];
    let requests = 0;
    let startCursor: string | null = null;
    for (;;) {
      const response = await deps.http
        .fetch(
          `${deps.apiUrl.replace(/\/$/, '')}/v1/search`,
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${deps.token}`,
              'notion-version': deps.notionVersion,
              'content-type': 'application/json',
            },
            body: JSON.stringify({
              filter: { property: 'object', value: 'page' },
              sort: { direction: 'descending', timestamp: 'last_edited_time' },
              page_size: deps.pageSize,
              ...(startCursor ? { start_cursor: startCursor } : {}),
            }),
          },
          context.signal,
        )
        .catch((error: unknown) => {
          throw error instanceof GuardedFetchError ? new NonRetryableError(error.message) : error;
        });
      requests += 1;
      if (!response.ok) {
        const detail = (await response.text().catch(() => '')).slice(0, 300);
        const message = `pages API answered ${response.status}${detail ? `: ${detail}` : ''}`;
        if (response.status >= 500) throw new Error(message);
        throw new NonRetryableError(message);
      }
      const parsed = searchResponseSchema.safeParse(await response.json().catch(() => undefined));
      if (!parsed.success) throw new NonRetryableError('pages API sent a malformed search response');
      const batch = parsed.data.results.filter((item) => item.object === 'page');
      // Edits within the cursor's own instant are fetched again: upserts make that harmless.
      const fresh = since ? batch.filter((page) => new Date(page.last_edited_time) >= since) : batch;
      fetched.push(...fresh);
      await context.progress(0, `${fetched.length} pages fetched`);
      if (fresh.length < batch.length || !parsed.data.has_more || !parsed.data.next_cursor) break;
      startCursor = parsed.data.next_cursor;
    }

    const newestMs = Math.max(
      since?.getTime() ?? Number.NEGATIVE_INFINITY,
      ...fetched.map((page) => Date.parse(page.last_edited_time)),
    );
    const newest = Number.isFinite(newestMs) ? new Date(newestMs).toISOString() : (stored?.cursor ?? null);
    let archived = 0;
    await deps.db.transaction(async (tx) => {
      for (const page of fetched) {
        const isArchived = page.archived === true || page.in_trash === true;
        if (isArchived) archived += 1;
        const values = {
          title: pageTitle(page),
          url: page.url ?? null,
          properties: page.properties,
          archived: isArchived,
          remoteModifiedAt: new Date(page.last_edited_time),
          syncedAt: new Date(),
        };
        await tx
          .insert(pages)
          .values({ source: SOURCE, remoteId: page.id, ...values })
          .onConflictDoUpdate({ target: [pages.source, pages.remoteId], set: values });
      }
      await tx
        .insert(syncCursors)
        .values({ name: CURSOR, cursor: newest, updatedAt: new Date() })
        .onConflictDoUpdate({ target: syncCursors.name, set: { cursor: newest, updatedAt: sql`now()` } });
    });
    return { full, requests, fetched: fetched.length, upserted: fetched.length, archived, cursor: newest };
  });
}
