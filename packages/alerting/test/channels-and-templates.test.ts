import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { createTestRedis, type TestRedis } from '@foreman/core/testing';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { createLogger } from '@foreman/logger';
import { Queue } from 'bullmq';
import {
  AlertManager,
  type AlertNotification,
  alertRuleSchema,
  ConsoleChannel,
  createChannels,
  LogChannel,
} from '../src/index.js';

/** A stream that keeps what is written to it, line by line. */
function captured() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

const notification = (overrides: Partial<AlertNotification> = {}): AlertNotification => ({
  alertId: 'a1',
  ruleId: 'sync-backlog',
  severity: 'warning',
  kind: 'firing',
  message: '612 jobs waiting on sync',
  value: 612,
  threshold: 500,
  firedAt: '2026-01-01T10:00:00.000Z',
  at: '2026-01-01T10:00:00.000Z',
  ...overrides,
});

describe('log channel', () => {
  it('logs firing at warn, critical at error and resolved at info, with the whole notification', async () => {
    const { lines, stream } = captured();
    const channel = new LogChannel(createLogger('alerts', { level: 'info', destination: stream }), 'ops-log');
    await channel.send(notification());
    await channel.send(notification({ severity: 'critical', kind: 'reminder' }));
    await channel.send(notification({ kind: 'resolved' }));
    const logged = lines.map((line) => JSON.parse(line) as { level: number; msg: string; alert: object });
    expect(channel.name).toBe('ops-log');
    expect(logged.map(({ level, msg }) => [level, msg])).toEqual([
      [40, 'alert firing: sync-backlog'],
      [50, 'alert reminder: sync-backlog'],
      [30, 'alert resolved: sync-backlog'],
    ]);
    expect(logged[0]!.alert).toEqual(notification());
  });
});

describe('console channel', () => {
  it('writes one readable line per notification to its stream', async () => {
    const { lines, stream } = captured();
    const channel = new ConsoleChannel('tty', stream);
    await channel.send(notification());
    await channel.send(notification({ kind: 'resolved', value: 3 }));
    expect(lines).toEqual([
      '2026-01-01T10:00:00.000Z [WARNING] sync-backlog: 612 jobs waiting on sync (value 612, threshold 500)',
      '2026-01-01T10:00:00.000Z [RESOLVED] sync-backlog: 612 jobs waiting on sync (value 3, threshold 500)',
    ]);
  });
});

describe('rule message templates', () => {
  let redis: TestRedis;
  let database: TestDatabase;
  beforeAll(async () => {
    [redis, database] = await Promise.all([
      createTestRedis('alert-templates'),
      createTestDatabase('alert_tpl'),
    ]);
  });
  afterAll(async () => {
    await redis.cleanup();
    await database.drop();
  });

  const rule = {
    id: 'maintenance-backlog',
    kind: 'queue_depth',
    queue: 'maintenance',
    threshold: 0,
    severity: 'critical',
    channels: ['tty'],
  };

  it('refuses unknown placeholders, and those the rule kind has no field for, naming each', () => {
    const parsed = alertRuleSchema.safeParse({
      ...rule,
      message: '{{rule}} {{valeu}} on {{task}} and {{ queue }}',
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['message', expect.stringMatching(/unknown placeholder \{\{valeu\}\} for a queue_depth rule/)],
      ['message', expect.stringMatching(/unknown placeholder \{\{task\}\}/)],
    ]);
    expect(alertRuleSchema.safeParse({ ...rule, message: '{{ queue }} at {{value}}' }).success).toBe(true);
  });

  it('refuses a bad template at rule creation, storing nothing', async () => {
    const manager = new AlertManager({
      db: database.database.db,
      redis: redis.redis,
      prefix: redis.prefix,
      logger: createLogger('alerts', { level: 'silent' }),
      channels: createChannels({}, createLogger('alerts', { level: 'silent' })),
    });
    await expect(
      manager.rules.create({ ...rule, channels: ['log'], message: 'depth {{depth}}' }),
    ).rejects.toMatchObject({
      code: 'ALERT_RULE_INVALID',
      details: [{ path: 'message', message: expect.stringContaining('{{depth}}') }],
    });
    expect(await manager.rules.list()).toEqual([]);
  });

  it('fills the template into the alert and what each channel sends', async () => {
    const { lines, stream } = captured();
    const manager = new AlertManager({
      db: database.database.db,
      redis: redis.redis,
      prefix: redis.prefix,
      logger: createLogger('alerts', { level: 'silent' }),
      channels: new Map([['tty', new ConsoleChannel('tty', stream)]]),
    });
    await manager.rules.create({
      ...rule,
      message: '{{rule}} ({{severity}}): {{value}} jobs on {{queue}} in {{states}}, over {{threshold}}',
    });
    const queue = new Queue('maintenance', { connection: redis.redis, prefix: redis.prefix });
    await queue.add('maintenance.health_check', {}, { jobId: randomUUID() });
    await queue.add('maintenance.health_check', {}, { jobId: randomUUID() });
    await queue.close();
    const [report] = await manager.evaluate();
    expect(report).toMatchObject({ action: 'opened' });
    const text = 'maintenance-backlog (critical): 2 jobs on maintenance in waiting, prioritized, over 0';
    expect((await manager.get(report!.alertId!)).message).toBe(text);
    expect(lines).toEqual([expect.stringContaining(`[CRITICAL] maintenance-backlog: ${text} (value 2`)]);
  });
});
