import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FairScheduler } from '@foreman/core';
import { createTestRedis, type TestRedis, waitFor } from '@foreman/core/testing';
import { calendarFeeds, tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import { type FeedServer, startFeedServer } from './feed-server.js';
import { type RunningSystem, startSystem } from './system.js';

/** The test writes here; `DASHBOARD_SCREENSHOT=docs/dashboard.png` refreshes the README's picture. */
const SCREENSHOT = process.env.DASHBOARD_SCREENSHOT ?? join(tmpdir(), `foreman-dashboard-${process.pid}.png`);
const FEEDS = 5;
const STEP_MS = 45_000;

const statusOf = (page: Page) => page.locator('#task-status').textContent();
const progressOf = (page: Page) =>
  page.locator('#task-progress [role=progressbar]').getAttribute('aria-valuenow');

/** Waits for the task page to show `status`; the failure says what it showed instead. */
async function waitForStatus(page: Page, status: string, extra?: () => string) {
  await page
    .waitForFunction((wanted) => document.querySelector('#task-status')?.textContent === wanted, status, {
      timeout: STEP_MS,
    })
    .catch(async (error: Error) => {
      throw new Error(
        `The task page never showed "${status}": it shows "${await statusOf(page)}" at ${await progressOf(page)}% (${await page.locator('#task-notice').textContent()}). ${extra?.() ?? ''}\n${error.message}`,
      );
    });
}

describe('dashboard in headless Chromium against the real api and sync worker', () => {
  let testDb: TestDatabase;
  let system: RunningSystem;
  let feeds: FeedServer;
  let browser: Browser;
  let page: Page;
  let redis: TestRedis;
  const browserErrors: string[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase('e2e_dashboard');
    feeds = await startFeedServer({ delayMs: 400 });
    redis = await createTestRedis('e2e-dashboard');
    [system, browser] = await Promise.all([
      startSystem(
        { url: testDb.url, schema: testDb.schema },
        {
          redis,
          workers: ['sync-worker'],
          // No beat runs here: the api evaluates the alert rules itself.
          env: { SYNC_MIN_REQUEST_INTERVAL_MS: '200', ALERT_EVALUATION: 'on', ALERT_INTERVAL_MS: '1000' },
        },
      ),
      launchChromium(),
    ]);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(STEP_MS);
    page.on('pageerror', (error) => browserErrors.push(error.message));
    page.on('console', (message) => {
      // The fairness panel asks for /fairness and hides itself on 404: that one is expected.
      if (message.type() === 'error' && !/status of 404/.test(message.text()))
        browserErrors.push(message.text());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await feeds?.close();
    await testDb?.drop();
  });

  it('signs in with a key: a wrong one is refused, a good one sets an HttpOnly, SameSite=Strict cookie', async () => {
    await page.goto(`${system.baseUrl}/dashboard?refresh=1000`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#key', 'fm_wrong_key_for_the_e2e_test_000000');
    await page.click('#login button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#login-error')?.textContent !== '');
    expect(await page.locator('#login-error').textContent()).toBe('Unknown or revoked api key');

    await page.fill('#key', system.adminKey);
    await page.click('#login button[type=submit]');
    await page.waitForURL(`${system.baseUrl}/dashboard?refresh=1000`);
    await page.locator('#who .user').waitFor();
    expect(await page.locator('#who .user').textContent()).toBe('admin');
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: 'foreman_session', httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(await page.evaluate(() => document.cookie)).toBe('');
    // The wrong key's 401 is the one error the browser was meant to see.
    expect(browserErrors).toEqual([expect.stringContaining('401')]);
    browserErrors.length = 0;
  });

  it('submits a long task from the page and follows its progress bar live to 100% and completed', async () => {
    await testDb.database.db.insert(calendarFeeds).values(
      Array.from({ length: FEEDS }, (_, index) => ({
        userId: 'admin',
        url: `${feeds.url}/feed/team-${index + 1}.ics`,
      })),
    );
    await page.evaluate(() => {
      location.hash = '#/tasks';
    });
    await page
      .locator('#submit-name option[value="sync.sync_calendar_events"]')
      .waitFor({ state: 'attached' });
    await page.selectOption('#submit-name', 'sync.sync_calendar_events');
    await page.fill('#submit-payload', '{}');
    // Every value the bar shows, from the moment the task page appears.
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { progressSeen: number[] }).progressSeen = seen;
      new MutationObserver(() => {
        const value = document
          .querySelector('#task-progress [role=progressbar]')
          ?.getAttribute('aria-valuenow');
        if (value !== null && value !== undefined && Number(value) !== seen.at(-1)) seen.push(Number(value));
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.click('#submit-task');
    await page.waitForURL(/#\/tasks\/.+/);
    const taskId = decodeURIComponent(page.url().split('#/tasks/')[1]!);

    await waitForStatus(page, 'completed', () => `Feed requests so far: ${feeds.requests.join(' ')}`);
    expect(await progressOf(page)).toBe('100');
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
    // The bar moved through intermediate values on its way, never backwards.
    expect(seen.some((value) => value > 0 && value < 100)).toBe(true);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(seen.at(-1)).toBe(100);
    expect(await page.locator('#task-result pre').textContent()).toContain(`"feeds": ${FEEDS}`);
    expect(await page.locator('#task-name').textContent()).toBe('sync.sync_calendar_events');
    const record = (await (await system.api(`/tasks/${taskId}`)).json()) as {
      status: string;
      progress: number;
    };
    expect(record).toMatchObject({ status: 'completed', progress: 100 });
  });

  it('cancels a running task with the Cancel button', async () => {
    const [hanging] = await testDb.database.db
      .insert(calendarFeeds)
      .values({ userId: 'admin', url: `${feeds.url}/hang.ics` })
      .returning();
    const response = await system.api('/tasks/sync.sync_calendar_events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ feedId: hanging!.id }),
    });
    const { taskId } = (await response.json()) as { taskId: string };
    await page.evaluate((id) => {
      location.hash = `#/tasks/${encodeURIComponent(id)}`;
    }, taskId);
    await waitFor(() => (feeds.requests.includes('/hang.ics') ? true : undefined), {
      timeoutMs: STEP_MS,
      what: 'the sync worker to request the feed that never answers',
    });
    await waitForStatus(page, 'running');
    await page.locator('#cancel:enabled').click();
    await waitForStatus(page, 'cancelled');
    expect(await page.locator('#retry').isEnabled()).toBe(true);
    expect(await page.locator('#cancel').isEnabled()).toBe(false);
    await waitFor(() => (feeds.abandoned === 1 ? true : undefined), {
      timeoutMs: STEP_MS,
      what: 'the cancelled task to drop its request',
    });
    const record = (await (await system.api(`/tasks/${taskId}`)).json()) as { status: string };
    expect(record.status).toBe('cancelled');
  });

  it('runs the cancelled task again with the Retry button, and cancels that run too', async () => {
    const hangs = () => feeds.requests.filter((path) => path === '/hang.ics').length;
    await page.locator('#retry:enabled').click();
    await waitFor(() => (hangs() === 2 ? true : undefined), {
      timeoutMs: STEP_MS,
      what: 'the retried task to request the feed again',
    });
    await waitForStatus(page, 'running');
    await page.locator('#cancel:enabled').click();
    await waitForStatus(page, 'cancelled');
    await waitFor(() => (feeds.abandoned === 2 ? true : undefined), {
      timeoutMs: STEP_MS,
      what: 'the second run to drop its request',
    });
  });

  it('shows queues, workers, charts, tasks, schedules and alerts on the overview, and saves a screenshot', async () => {
    const post = async (path: string, body: unknown) => {
      const response = await system.api(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.status >= 300)
        throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as { taskId: string };
    };
    // Daily schedules (none fires during the test) and a rule that the failing fetch below trips.
    await post('/schedules', {
      id: 'nightly-fetch',
      task: 'sync.fetch_url',
      payload: { url: `${feeds.url}/ok` },
      cron: '0 3 * * *',
      timezone: 'UTC',
      description: 'Checks the feed host every night',
    });
    await post('/schedules', {
      id: 'monday-calendar-sync',
      task: 'sync.sync_calendar_events',
      payload: {},
      cron: '30 6 * * 1',
      timezone: 'Europe/Berlin',
    });
    await post('/alert-rules', {
      id: 'fetch-failing',
      kind: 'failure_rate',
      task: 'sync.fetch_url',
      threshold: 0.05,
      severity: 'warning',
      description: 'More than 5% of URL fetches fail',
    });
    // Short tasks, one of them failing, so the charts and lists have something to show.
    const urls = [
      ...Array.from({ length: 6 }, (_, index) => `${feeds.url}/feed/extra-${index}.ics`),
      `${feeds.url}/status/404`,
    ];
    const ids: string[] = [];
    for (const url of urls) ids.push((await post('/tasks/sync.fetch_url', { url })).taskId);
    await waitFor(
      async () => {
        const statuses = await Promise.all(
          ids.map(
            async (id) => ((await (await system.api(`/tasks/${id}`)).json()) as { status: string }).status,
          ),
        );
        return statuses.every((status) => status === 'completed' || status === 'failed') ? true : undefined;
      },
      { timeoutMs: STEP_MS, intervalMs: 200, what: 'the short tasks to finish' },
    );
    // A push-back paused one feed's key: the sync queue admits its calendar syncs by feed. (The
    // settings only let this handle name the queue; the system's own admission is unchanged.)
    const pausedKey = 'sync.sync_calendar_events:paused-feed';
    await new FairScheduler({
      connection: redis.redis,
      prefix: redis.prefix,
      settings: { sync: { readyWindow: 10 } },
    }).pause('sync', pausedKey, 600_000);
    await page.evaluate(() => {
      location.hash = '#/';
    });
    await page.locator('#queues tr[data-queue="sync"]').waitFor();
    await page.locator(`#flow-keys tr[data-flow-key="${pausedKey}"]`).waitFor();
    await page.locator('#workers tr[data-instance]', { hasText: 'sync-worker' }).first().waitFor();
    await page.locator('#recent tr[data-task-id]').first().waitFor();
    await page.locator('#throughput-chart canvas').waitFor();
    await page.locator('#schedules td', { hasText: 'sync.sync_calendar_events' }).waitFor();
    await page.locator('#alerts li.alert', { hasText: 'fetch-failing' }).waitFor();
    // Three samples make a line in each chart.
    await page.waitForFunction(
      () => JSON.parse(sessionStorage.getItem('foreman.dashboard.samples') ?? '[]').length >= 3,
    );
    const queueRow = await page.locator('#queues tr[data-queue="sync"]').textContent();
    expect(queueRow).toContain('sync');
    expect(await page.locator(`#flow-keys tr[data-flow-key="${pausedKey}"]`).textContent()).toMatch(
      /^sync.*paused in \d+(\.\d)? min$/,
    );
    expect(await page.locator('#charts').textContent()).toContain('sync.fetch_url');
    expect(await page.locator('#schedules').textContent()).toMatch(/0 3 \* \* \*UTC.*in \d/);
    expect(await page.locator('#fairness').isHidden()).toBe((await system.api('/fairness')).status === 404);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect((await stat(SCREENSHOT)).size).toBeGreaterThan(20_000);
    process.stdout.write(`dashboard screenshot: ${SCREENSHOT}\n`);
    expect(browserErrors).toEqual([]);
  });

  it('searches the tasks view by free text and payload fields, with the search in the address', async () => {
    const row = (id: string, payload: unknown, error: string | null = null) => ({
      id,
      name: 'email.send_email',
      queue: 'email',
      userId: 'admin',
      status: error ? ('failed' as const) : ('completed' as const),
      payload,
      error,
      createdAt: new Date(Date.UTC(2026, 0, 1)),
    });
    await testDb.database.db
      .insert(tasks)
      .values([
        row('search-invoice', { to: 'ann@example.com', subject: 'Quarterly invoice', account: { id: 7 } }),
        row('search-welcome', { to: 'bo@example.com', subject: 'Welcome', account: { id: 7 } }),
        row('search-bounce', { to: 'ann@example.com', subject: 'Reminder' }, 'Mailbox quarterly full'),
      ]);
    const shown = () =>
      page
        .locator('#task-list tr[data-task-id]')
        .evaluateAll((rows) => rows.map((row) => row.dataset.taskId));
    const searchFor = async (q: string, payload: string) => {
      await page.fill('#filter-q', q);
      await page.fill('#filter-payload', payload);
      await page.click('#filter-submit');
    };
    await page.evaluate(() => {
      location.hash = '#/tasks';
    });
    await page.locator('#filter-q').waitFor();

    await searchFor('quarterly', '');
    await page.waitForURL(/#\/tasks\?q=quarterly$/);
    await waitFor(async () => ((await shown()).length === 2 ? true : undefined), { what: 'two matches' });
    expect((await shown()).sort()).toEqual(['search-bounce', 'search-invoice']);

    await searchFor('quarterly', 'payload.to=ann@example.com payload.account.id=7');
    await page.waitForURL(/payload\.account\.id=7/);
    await waitFor(async () => ((await shown()).length === 1 ? true : undefined), { what: 'one match' });
    expect(await shown()).toEqual(['search-invoice']);

    // The address is the search: opened afresh it shows the same rows and fills the form.
    const shared = page.url();
    await page.goto('about:blank');
    await page.goto(shared);
    await waitFor(async () => ((await shown()).length === 1 ? true : undefined), {
      what: 'the shared search',
    });
    expect(await shown()).toEqual(['search-invoice']);
    expect(await page.inputValue('#filter-q')).toBe('quarterly');
    expect(await page.inputValue('#filter-payload')).toBe('payload.to=ann@example.com payload.account.id=7');

    await searchFor('', 'payload..to=x');
    expect(await page.locator('#task-list .error').textContent()).toMatch(/^QUERY_INVALID: .*payload\.\.to/);
    // The browser logs the refused request; nothing else went wrong.
    expect(browserErrors.filter((error) => !/status of 400/.test(error))).toEqual([]);
  });

  it('left no key in any process log', () => {
    const logged = system.apps.flatMap((app) => app.logs).join('\n');
    expect(logged).toContain('api listening');
    expect(logged).not.toContain(system.adminKey);
    expect(logged).not.toContain('fm_wrong_key_for_the_e2e_test');
  });
});
