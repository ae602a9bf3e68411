import { randomUUID } from 'node:crypto';
import { QuarantineLog, TaskEventSubscriber, taskEventsStream } from '@foreman/core';
import { createTestRedis, type TestRedis, waitFor } from '@foreman/core/testing';
import { deadLetters, tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { createLogger } from '@foreman/logger';
import { startTestSmtpServer, type TestSmtpServer } from '@foreman/mail/testing';
import { WorkerHeartbeat } from '@foreman/metrics';
import { Queue } from 'bullmq';
import {
  AlertManager,
  type AlertNotification,
  AlertScheduler,
  alertRuleSchema,
  createChannels,
  type NotificationRecord,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhook,
} from '../src/index.js';
import { startHttpReceiver } from './receivers.js';

const logger = createLogger('alerting-test', { level: 'silent' });
const SECRET = 'test-secret-0123456789';

describe('AlertManager with real channels, Redis and PostgreSQL', () => {
  let redis: TestRedis;
  let database: TestDatabase;
  let smtp: TestSmtpServer;
  let slack: Awaited<ReturnType<typeof startHttpReceiver>>;
  let webhook: Awaited<ReturnType<typeof startHttpReceiver>>;
  let manager: AlertManager;
  let clock = Date.now();
  let backlog = 0;

  beforeAll(async () => {
    [redis, database, smtp, slack, webhook] = await Promise.all([
      createTestRedis('alerting'),
      createTestDatabase('alerting'),
      startTestSmtpServer(),
      startHttpReceiver(),
      startHttpReceiver(),
    ]);
    const channels = createChannels(
      {
        mail: { type: 'email', smtpUrl: smtp.url, from: 'alerts@example.test', to: ['ops@example.test'] },
        slack: { type: 'slack', webhookUrl: slack.url },
        hook: { type: 'webhook', url: webhook.url, secret: SECRET },
      },
      logger,
    );
    manager = new AlertManager({
      db: database.database.db,
      redis: redis.redis,
      prefix: redis.prefix,
      logger,
      channels,
      fileRules: [
        alertRuleSchema.parse({
          id: 'backlog',
          kind: 'custom',
          predicate: 'backlog',
          threshold: 10,
          severity: 'critical',
          cooldownMs: 60_000,
          channels: ['log', 'mail', 'slack', 'hook'],
        }),
      ],
      predicates: { backlog: () => backlog },
      now: () => clock,
    });
  });
  afterAll(async () => {
    await Promise.all([smtp.close(), slack.close(), webhook.close()]);
    await redis.cleanup();
    await database.drop();
  });

  const notifications = () =>
    webhook.received.map((request) => JSON.parse(request.body) as AlertNotification);
  const backlogReport = async () => (await manager.evaluate()).find((report) => report.ruleId === 'backlog');

  it('opens an alert and delivers it to SMTP, Slack and a signed webhook', async () => {
    backlog = 25;
    expect(await backlogReport()).toMatchObject({ action: 'opened', firing: true, value: 25 });
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]?.to).toEqual(['ops@example.test']);
    expect(smtp.received[0]?.raw).toContain('Subject: Foreman [CRITICAL] backlog: backlog = 25');
    expect(JSON.parse(slack.received[0]?.body ?? '{}').text).toContain('[CRITICAL] backlog');
    const [request] = webhook.received;
    expect(
      verifyWebhook({
        secret: SECRET,
        body: request?.body ?? '',
        timestamp: request?.headers[TIMESTAMP_HEADER] as string,
        signature: request?.headers[SIGNATURE_HEADER] as string,
      }),
    ).toBe(true);
    expect(notifications()[0]).toMatchObject({ ruleId: 'backlog', kind: 'firing', value: 25, threshold: 10 });
  });

  it('stays quiet during the cooldown, then reminds while still firing', async () => {
    clock += 30_000;
    expect(await backlogReport()).toMatchObject({ action: 'updated' });
    expect(webhook.received).toHaveLength(1);
    clock += 31_000;
    backlog = 40;
    expect(await backlogReport()).toMatchObject({ action: 'reminded' });
    expect(notifications().map((n) => n.kind)).toEqual(['firing', 'reminder']);
    expect(smtp.received).toHaveLength(2);
  });

  it('sends nothing more once acknowledged, and tells when it resolves', async () => {
    const [open] = await manager.list({ ruleId: 'backlog', status: 'firing' });
    const acknowledged = await manager.acknowledge(open?.id as string, 'ada');
    expect(acknowledged).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'ada' });
    clock += 120_000;
    expect(await backlogReport()).toMatchObject({ action: 'updated' });
    expect(webhook.received).toHaveLength(2);
    backlog = 3;
    expect(await backlogReport()).toMatchObject({ action: 'resolved', alertId: open?.id });
    expect(notifications().map((n) => n.kind)).toEqual(['firing', 'reminder', 'resolved']);
    await expect(manager.acknowledge(open?.id as string, 'ada')).rejects.toMatchObject({
      code: 'ALERT_STATE_INVALID',
    });
  });

  it('keeps the history in PostgreSQL with every delivery, and records a failing receiver', async () => {
    slack.state.status = 500;
    clock += 120_000;
    backlog = 11;
    expect(await backlogReport()).toMatchObject({ action: 'opened' });
    const history = await manager.list({ ruleId: 'backlog' });
    expect(history.map((alert) => alert.status)).toEqual(['firing', 'resolved']);
    const latest = history[0]?.notifications as NotificationRecord[];
    expect(latest[0]?.channels).toEqual(
      expect.arrayContaining([
        { channel: 'hook', ok: true },
        { channel: 'slack', ok: false, error: 'Channel "slack" could not deliver: receiver answered 500' },
      ]),
    );
    const resolvedOne = history[1];
    expect(((resolvedOne?.notifications ?? []) as NotificationRecord[]).map((n) => n.kind)).toEqual([
      'firing',
      'reminder',
      'resolved',
    ]);
    expect(await manager.resolve(history[0]?.id as string)).toMatchObject({ status: 'resolved' });
    slack.state.status = 200;
  });

  it('holds back a new alert of a flapping rule until the cooldown has passed', async () => {
    clock += 1_000;
    backlog = 50;
    expect(await backlogReport()).toMatchObject({ action: 'suppressed' });
    const sent = webhook.received.length;
    clock += 60_000;
    expect(await backlogReport()).toMatchObject({ action: 'reminded' });
    expect(notifications().at(-1)?.kind).toBe('firing');
    expect(webhook.received.length).toBe(sent + 1);
    backlog = 0;
    await manager.evaluate();
  });

  it('evaluates the built-in kinds against real records, queues and heartbeats', async () => {
    const db = database.database.db;
    const now = new Date();
    await db.insert(tasks).values(
      Array.from({ length: 10 }, (_, index) => ({
        id: randomUUID(),
        name: 'demo.work',
        queue: 'demo',
        status: index < 4 ? ('failed' as const) : ('completed' as const),
        createdAt: now,
        durationMs: (index + 1) * 100,
      })),
    );
    await db.insert(deadLetters).values(
      [1, 2, 3, 4].map((n) => ({
        taskId: `dead-${n}`,
        name: 'demo.work',
        queue: 'demo',
        error: 'x',
        attempts: 3,
        failedAt: now,
        // One was replayed already: it joined the dead letters in the window, but no longer waits.
        ...(n === 4 ? { replayedAs: 'dead-4-again', replayedAt: now } : {}),
      })),
    );
    const queue = new Queue('demo', { connection: redis.redis, prefix: redis.prefix });
    await queue.addBulk(Array.from({ length: 6 }, (_, i) => ({ name: 'demo.work', data: { i } })));
    await queue.close();
    const beat = new WorkerHeartbeat({
      redis: redis.redis,
      prefix: redis.prefix,
      service: 'demo-worker',
      queue: 'demo',
      concurrency: 2,
    });
    await beat.start();
    await new QuarantineLog({ connection: redis.redis, prefix: redis.prefix }).add({
      kind: 'task',
      taskId: 'nul-reply',
      name: 'demo.work',
      userId: 'alice',
      error: 'unsupported Unicode escape sequence',
      sqlState: '22P05',
      at: now,
    });

    for (const input of [
      { id: 'demo-failing', kind: 'failure_rate', task: 'demo.work', threshold: 0.3, severity: 'critical' },
      { id: 'demo-slow', kind: 'p95_duration', task: 'demo.work', threshold: 500, severity: 'warning' },
      { id: 'demo-backlog', kind: 'queue_depth', queue: 'demo', threshold: 5, severity: 'warning' },
      { id: 'demo-dying', kind: 'dead_letter_growth', queue: 'demo', threshold: 2, severity: 'critical' },
      { id: 'records-refused', kind: 'records_quarantined', severity: 'critical' },
      {
        id: 'demo-dead-waiting',
        kind: 'queue_depth',
        queue: 'demo',
        states: ['deadLetters'],
        threshold: 2,
        severity: 'warning',
      },
      {
        id: 'demo-alive',
        kind: 'missing_heartbeat',
        service: 'demo-worker',
        threshold: 60_000,
        severity: 'critical',
      },
      {
        id: 'ghost-alive',
        kind: 'missing_heartbeat',
        service: 'ghost-worker',
        threshold: 60_000,
        severity: 'critical',
      },
    ]) {
      await manager.rules.create(input);
    }
    await expect(
      manager.rules.create({
        id: 'demo-slow',
        kind: 'p95_duration',
        task: 'x',
        threshold: 1,
        severity: 'warning',
      }),
    ).rejects.toMatchObject({ code: 'ALERT_RULE_EXISTS' });
    await expect(
      manager.rules.create({
        id: 'bad',
        kind: 'queue_depth',
        queue: 'q',
        threshold: 1,
        severity: 'warning',
        channels: ['pager'],
      }),
    ).rejects.toMatchObject({ code: 'ALERT_CHANNEL_UNKNOWN' });
    await expect(manager.rules.remove('backlog')).rejects.toMatchObject({ code: 'ALERT_RULE_READ_ONLY' });

    const reports = Object.fromEntries((await manager.evaluate()).map((report) => [report.ruleId, report]));
    expect(reports['demo-failing']).toMatchObject({ firing: true, value: 0.4 });
    expect(reports['demo-slow']).toMatchObject({ firing: true, value: 1_000 });
    expect(reports['demo-backlog']).toMatchObject({ firing: true, value: 6 });
    expect(reports['demo-dying']).toMatchObject({ firing: true, value: 4 });
    expect(reports['records-refused']).toMatchObject({ firing: true, value: 1 });
    // Unreplayed rows of the dead_letters table; BullMQ's failed set of the queue is empty.
    expect(reports['demo-dead-waiting']).toMatchObject({ firing: true, value: 3 });
    expect(reports['demo-alive']).toMatchObject({ firing: false });
    expect(reports['ghost-alive']).toMatchObject({
      firing: true,
      message: 'no ghost-worker has ever sent a heartbeat',
    });
    await beat.stop();

    await manager.rules.update('demo-slow', {
      kind: 'p95_duration',
      task: 'demo.work',
      threshold: 5_000,
      severity: 'warning',
    });
    const after = (await manager.evaluate()).find((report) => report.ruleId === 'demo-slow');
    expect(after).toMatchObject({ firing: false, action: 'resolved' });
  });
});

describe('AlertScheduler', () => {
  it('evaluates once per interval however many replicas tick', async () => {
    const redis = await createTestRedis('alert-slots');
    const database = await createTestDatabase('alert_slots');
    let evaluations = 0;
    const manager = new AlertManager({
      db: database.database.db,
      redis: redis.redis,
      prefix: redis.prefix,
      logger,
      channels: createChannels({}, logger),
      fileRules: [
        alertRuleSchema.parse({
          id: 'count',
          kind: 'custom',
          predicate: 'count',
          threshold: 1e9,
          severity: 'warning',
        }),
      ],
      predicates: {
        count: () => {
          evaluations += 1;
          return 0;
        },
      },
    });
    const intervalMs = 400;
    const replicas = [1, 2, 3].map(
      () => new AlertScheduler({ manager, redis: redis.redis, prefix: redis.prefix, logger, intervalMs }),
    );
    const started = Date.now();
    for (const replica of replicas) replica.start();
    await waitFor(() => (evaluations >= 4 ? true : undefined), {
      timeoutMs: 20_000,
      what: 'four evaluations',
    });
    await Promise.all(replicas.map((replica) => replica.stop()));
    const slots = Math.floor(Date.now() / intervalMs) - Math.floor(started / intervalMs) + 1;
    // Three replicas ticking twice per interval, yet never more than one evaluation per slot.
    expect(evaluations).toBeLessThanOrEqual(slots);
    await redis.cleanup();
    await database.drop();
  });

  it('evaluates soon after a final failure event, once across replicas, never two at a time', async () => {
    const redis = await createTestRedis('alert-events');
    const database = await createTestDatabase('alert_events');
    let evaluations = 0;
    let concurrent = 0;
    let mostConcurrent = 0;
    const manager = new AlertManager({
      db: database.database.db,
      redis: redis.redis,
      prefix: redis.prefix,
      logger,
      channels: createChannels({}, logger),
      fileRules: [
        alertRuleSchema.parse({
          id: 'slow',
          kind: 'custom',
          predicate: 'slow',
          threshold: 1e9,
          severity: 'warning',
        }),
      ],
      predicates: {
        slow: async () => {
          evaluations += 1;
          concurrent += 1;
          mostConcurrent = Math.max(mostConcurrent, concurrent);
          await new Promise((resolve) => setTimeout(resolve, 150));
          concurrent -= 1;
          return 0;
        },
      },
    });
    const subscribers = [1, 2, 3].map(
      () => new TaskEventSubscriber({ connection: redis.redis, prefix: redis.prefix }),
    );
    // An interval far beyond the test: only the start-up tick and the events evaluate.
    const replicas = subscribers.map(
      (events) =>
        new AlertScheduler({
          manager,
          redis: redis.redis,
          prefix: redis.prefix,
          logger,
          intervalMs: 3_600_000,
          events,
          eventDelayMs: 300,
        }),
    );
    await Promise.all(replicas.map((replica) => replica.start()));
    await waitFor(() => (evaluations === 1 && concurrent === 0 ? true : undefined), {
      what: 'the start-up evaluation',
    });
    const publish = (type: string) =>
      redis.redis.xadd(
        taskEventsStream(redis.prefix),
        '*',
        'event',
        JSON.stringify({
          type,
          taskId: randomUUID(),
          taskName: 'x.y',
          queue: 'x',
          at: new Date().toISOString(),
        }),
      );
    // Retries and successes do not evaluate.
    await publish('retrying');
    await publish('completed');
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(evaluations).toBe(1);
    // A burst of final failures: one evaluation, by one of the three replicas, within the delay.
    const failedAt = Date.now();
    for (let index = 0; index < 20; index += 1) await publish('failed');
    await waitFor(() => (evaluations >= 2 ? true : undefined), {
      what: 'an evaluation after the failures',
      timeoutMs: 5_000,
    });
    expect(Date.now() - failedAt).toBeLessThan(2_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(evaluations).toBe(2);
    expect(mostConcurrent).toBe(1);
    await Promise.all(replicas.map((replica) => replica.stop()));
    await Promise.all(subscribers.map((subscriber) => subscriber.close()));
    await redis.cleanup();
    await database.drop();
  });
});
