import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq, webhookDeliveries } from '@foreman/db';
import { verifyWebhook } from '@foreman/net';
import { z } from 'zod';
import { completionKey } from '../src/client/completion.js';
import { TaskClient } from '../src/client/task-client.js';
import { CompletionDispatcher } from '../src/completion/completion-dispatcher.js';
import { NonRetryableError } from '../src/errors/non-retryable-error.js';
import { WebhookUrlRefusedError } from '../src/errors/webhook-url-refused-error.js';
import { defineTask } from '../src/task/define-task.js';
import { implementTask } from '../src/task/implement-task.js';
import { waitFor } from '../src/testing.js';
import { harness, logger } from './fixtures.js';

const SECRET = 'flow-control-test-secret';

const sync = defineTask({
  name: 'flow.sync',
  queue: 'flow',
  payload: z.object({ mailbox: z.string(), n: z.number() }),
  debounce: { key: 'mailbox', windowMs: 300, maxWaitMs: 5_000 },
});
const single = defineTask({
  name: 'flow.single',
  queue: 'flow',
  payload: z.object({ calendar: z.string(), holdMs: z.number() }),
  singleton: { key: (payload) => payload.calendar },
});
const step = defineTask({ name: 'flow.step', queue: 'flow', payload: z.object({ tag: z.string() }) });
const boom = defineTask({ name: 'flow.boom', queue: 'flow', payload: z.object({}) });

/** What the handlers saw, in order. */
const runs: Array<{ task: string; payload: unknown; at: number }> = [];
const runsOf = (task: string) => runs.filter((run) => run.task === task);

interface Receiver {
  url: string;
  hits: Array<{ path: string; body: string; valid: boolean }>;
  server: Server;
}

/** A local webhook receiver: `/ok` answers 200, `/flaky` 500 twice then 200, `/hang-once` never answers its first call. */
async function startReceiver(): Promise<Receiver> {
  const hits: Receiver['hits'] = [];
  let flaky = 0;
  let hung = false;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      const valid = verifyWebhook({
        secret: SECRET,
        body,
        timestamp: request.headers['x-foreman-timestamp'] as string | undefined,
        signature: request.headers['x-foreman-signature'] as string | undefined,
      });
      hits.push({ path: request.url ?? '', body, valid });
      if (request.url === '/hang-once' && !hung) {
        hung = true;
        return;
      }
      if (request.url === '/flaky' && flaky < 2) {
        flaky += 1;
        response.writeHead(500).end();
        return;
      }
      response.writeHead(valid ? 200 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

describe('flow control: debounce, singleton, completion callbacks and webhooks', () => {
  let h: Awaited<ReturnType<typeof harness>>;
  let client: TaskClient;
  let receiver: Receiver;
  const dispatchers: CompletionDispatcher[] = [];
  const newDispatcher = (consumer: string) => {
    const dispatcher = new CompletionDispatcher({
      connection: h.redis.redis,
      prefix: h.redis.prefix,
      client,
      db: h.database.database.db,
      logger,
      webhookSecret: SECRET,
      allowPrivate: true,
      webhookAttempts: 4,
      webhookBackoffMs: 100,
      webhookTimeoutMs: 60_000,
      consumer,
      claimIdleMs: 500,
      blockMs: 100,
    });
    dispatchers.push(dispatcher);
    return dispatcher;
  };
  const record = (task: string) => (context: { payload: unknown }) => {
    runs.push({ task, payload: context.payload, at: Date.now() });
  };

  beforeAll(async () => {
    h = await harness(
      'flow-control',
      [
        implementTask(sync, (payload) => record('flow.sync')({ payload })),
        implementTask(single, async (payload) => {
          record('flow.single')({ payload });
          await new Promise((resolve) => setTimeout(resolve, payload.holdMs));
        }),
        implementTask(step, (payload) => record('flow.step')({ payload })),
        implementTask(boom, () => {
          throw new NonRetryableError('boom');
        }),
      ],
      { concurrency: 8 },
    );
    client = new TaskClient({
      registry: h.client.registry,
      connection: h.redis.redis,
      prefix: h.redis.prefix,
      events: h.events,
      webhooks: { allowedHosts: ['127.0.0.1'], allowPrivate: true },
    });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    for (const dispatcher of dispatchers) await dispatcher.close();
    receiver.server.closeAllConnections();
    receiver.server.close();
    await client.close();
    await h.close();
  });

  it('collapses 100 submits within the window into one run with the last payload', async () => {
    const submitted = [];
    for (let n = 0; n < 100; n += 1) submitted.push(await client.submit(sync, { mailbox: 'inbox-a', n }));
    const ids = new Set(submitted.map((task) => task.taskId));
    expect(ids.size).toBe(1);
    expect(submitted.filter((task) => !task.deduplicated)).toHaveLength(1);
    await h.settled(submitted[0]!.taskId, 'completed');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(runsOf('flow.sync')).toEqual([
      expect.objectContaining({ payload: { mailbox: 'inbox-a', n: 99 } }),
    ]);
  });

  it('runs a steady trickle every maxWaitMs', async () => {
    const debounce = { key: 'mailbox', windowMs: 200, maxWaitMs: 600 };
    const started = Date.now();
    const ids = new Set<string>();
    let n = 0;
    while (Date.now() - started < 2_100) {
      ids.add((await client.submit(sync, { mailbox: 'inbox-b', n: n++ }, { debounce })).taskId);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await waitFor(() => (runsOf('flow.sync').length >= 1 + ids.size ? true : undefined));
    const trickle = runsOf('flow.sync').filter(
      (run) => (run.payload as { mailbox: string }).mailbox === 'inbox-b',
    );
    // 2.1 s of submits every 50 ms with a 600 ms cap: a run about every 600 ms, never a 200 ms quiet.
    expect(trickle.length).toBeGreaterThanOrEqual(3);
    expect(trickle.length).toBeLessThanOrEqual(5);
    expect(trickle[0]!.at - started).toBeLessThan(600 + 400);
    for (let index = 1; index < trickle.length - 1; index += 1) {
      expect(trickle[index]!.at - trickle[index - 1]!.at).toBeLessThan(600 + 400);
    }
    expect(ids.size).toBe(trickle.length);
  });

  it('keeps one singleton per key: a second submit gets the first task', async () => {
    const first = await client.submit(single, { calendar: 'cal-1', holdMs: 600 });
    const second = await client.submit(single, { calendar: 'cal-1', holdMs: 0 });
    const other = await client.submit(single, { calendar: 'cal-2', holdMs: 0 });
    expect(second).toMatchObject({ taskId: first.taskId, deduplicated: true });
    expect(other.taskId).not.toBe(first.taskId);
    expect(other.deduplicated).toBeUndefined();
    await h.settled(first.taskId, 'completed');
    // Ended: the key is free again.
    const third = await client.submit(single, { calendar: 'cal-1', holdMs: 0 });
    expect(third.taskId).not.toBe(first.taskId);
    expect(third.deduplicated).toBeUndefined();
    await h.settled(third.taskId, 'completed');
  });

  it('frees a singleton key whose holder is gone (crashed submitter, removed job)', async () => {
    const key = `${h.redis.prefix}:singleton:flow.single:-:cal-3`;
    await h.redis.redis.set(key, `ghost ${Date.now() - 60_000}`);
    const submitted = await client.submit(single, { calendar: 'cal-3', holdMs: 0 });
    expect(submitted.taskId).not.toBe('ghost');
    expect(submitted.deduplicated).toBeUndefined();
    await h.settled(submitted.taskId, 'completed');
  });

  it('replaces a waiting singleton in replace mode', async () => {
    const waiting = await client.submit(single, { calendar: 'cal-4', holdMs: 0 }, { delayMs: 60_000 });
    const replacing = await client.submit(
      single,
      { calendar: 'cal-4', holdMs: 0 },
      { singleton: { key: 'calendar', mode: 'replace' } },
    );
    expect(replacing.taskId).not.toBe(waiting.taskId);
    expect(replacing.deduplicated).toBeUndefined();
    expect(await client.queue('flow').getJob(waiting.taskId)).toBeUndefined();
    await h.settled(waiting.taskId, 'cancelled');
    await h.settled(replacing.taskId, 'completed');
    // A running holder is not replaced.
    const running = await client.submit(single, { calendar: 'cal-5', holdMs: 800 });
    await h.settled(running.taskId, 'running');
    const again = await client.submit(
      single,
      { calendar: 'cal-5', holdMs: 0 },
      { singleton: { key: 'calendar', mode: 'replace' } },
    );
    expect(again).toMatchObject({ taskId: running.taskId, deduplicated: true });
  });

  it('refuses a webhook outside the allow-list, or on loopback unless allowed', async () => {
    await expect(
      client.submit(step, { tag: 'x' }, { webhook: 'https://evil.example.com/hook' }),
    ).rejects.toThrow(WebhookUrlRefusedError);
    await expect(
      client.submit(step, { tag: 'x' }, { webhook: 'ftp://127.0.0.1/hook' }),
    ).rejects.toMatchObject({
      code: 'WEBHOOK_URL_REFUSED',
    });
    const strict = new TaskClient({
      registry: h.client.registry,
      connection: h.redis.redis,
      prefix: h.redis.prefix,
      webhooks: { allowedHosts: ['127.0.0.1'] },
    });
    await expect(strict.submit(step, { tag: 'x' }, { webhook: `${receiver.url}/ok` })).rejects.toThrow(
      /not a public address/,
    );
    await strict.close();
  });

  it('runs link and link_error once each, across a dispatcher that stalls mid-way and its successor', async () => {
    // d1 submits the links, then hangs on the webhook: it stands for a dispatcher that died there.
    await newDispatcher('d1').start();
    const parent = await client.submit(
      step,
      { tag: 'parent' },
      {
        link: [{ name: 'flow.step', payload: { tag: 'on-success' } }],
        linkError: [{ name: 'flow.step', payload: { tag: 'never-1' } }],
        webhook: `${receiver.url}/hang-once`,
      },
    );
    const failing = await client.submit(
      boom,
      {},
      {
        link: [{ name: 'flow.step', payload: { tag: 'never-2' } }],
        linkError: [{ name: 'flow.step', payload: { tag: 'on-failure' } }],
      },
    );
    await h.settled(failing.taskId, 'failed');
    const tags = () => runsOf('flow.step').map((run) => (run.payload as { tag: string }).tag);
    await waitFor(() => (tags().includes('on-success') && tags().includes('on-failure') ? true : undefined));
    await waitFor(() => (receiver.hits.some((hit) => hit.path === '/hang-once') ? true : undefined));
    // d2 takes the unacknowledged end over once it has been idle long enough, and does it all again.
    await newDispatcher('d2').start();
    await waitFor(
      () => (receiver.hits.filter((hit) => hit.path === '/hang-once').length >= 2 ? true : undefined),
      { what: 'the successor to deliver the webhook' },
    );
    // Now d1's request fails too: it must not deliver again or submit anything.
    receiver.server.closeAllConnections();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(tags().filter((tag) => tag === 'on-success')).toHaveLength(1);
    expect(tags().filter((tag) => tag === 'on-failure')).toHaveLength(1);
    expect(tags()).not.toContain('never-1');
    expect(tags()).not.toContain('never-2');
    expect(receiver.hits.filter((hit) => hit.path === '/hang-once')).toHaveLength(2);
    const rows = await h.database.database.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.taskId, parent.taskId));
    expect(rows.filter((row) => row.delivered)).toHaveLength(1);
  });

  it('delivers a signed webhook, and to a receiver that fails twice on the third try', async () => {
    const ok = await client.submit(step, { tag: 'hooked' }, { webhook: `${receiver.url}/ok` });
    const flaky = await client.submit(step, { tag: 'flaky' }, { webhook: `${receiver.url}/flaky` });
    const deliveries = (taskId: string, count: number) =>
      waitFor(
        async () => {
          const rows = await h.database.database.db
            .select()
            .from(webhookDeliveries)
            .where(eq(webhookDeliveries.taskId, taskId));
          return rows.length >= count ? rows.sort((a, b) => a.attempt - b.attempt) : undefined;
        },
        { what: `${count} deliveries of ${taskId}` },
      );
    const [delivered] = await deliveries(ok.taskId, 1);
    expect(delivered).toMatchObject({ attempt: 1, delivered: true, statusCode: 200, event: 'completed' });
    const hit = receiver.hits.find((one) => one.path === '/ok')!;
    expect(hit.valid).toBe(true);
    expect(JSON.parse(hit.body)).toMatchObject({
      taskId: ok.taskId,
      taskName: 'flow.step',
      status: 'completed',
    });
    const attempts = await deliveries(flaky.taskId, 3);
    expect(attempts.map((row) => [row.attempt, row.delivered, row.statusCode])).toEqual([
      [1, false, 500],
      [2, false, 500],
      [3, true, 200],
    ]);
    expect(receiver.hits.filter((one) => one.path === '/flaky').every((one) => one.valid)).toBe(true);
  });

  it('skips a linked task refused for good and still runs the others', async () => {
    const parent = await client.submit(step, { tag: 'poisoned-parent' }, { delayMs: 300 });
    // A plan whose first link no longer validates (as after a schema change).
    await h.redis.redis.set(
      completionKey(h.redis.prefix, parent.taskId),
      JSON.stringify({
        link: [
          { name: 'flow.step', payload: { tag: 42 } },
          { name: 'flow.step', payload: { tag: 'after-poison' } },
        ],
      }),
      'PX',
      60_000,
    );
    const tags = () => runsOf('flow.step').map((run) => (run.payload as { tag: string }).tag);
    await waitFor(() => (tags().includes('after-poison') ? true : undefined), { what: 'the valid link' });
    await waitFor(async () =>
      (await h.redis.redis.exists(completionKey(h.redis.prefix, parent.taskId))) === 0 ? true : undefined,
    );
  });
});
