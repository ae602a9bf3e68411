import { defineTask, implementTask, type Runtime, TaskRegistry, TaskWorker } from '@foreman/core';
import { createTestRuntime, waitFor } from '@foreman/core/testing';
import { createLogger } from '@foreman/logger';
import { z } from 'zod';
import { beatHarness } from './fixtures.js';

const boom = defineTask({
  name: 'beat_alert_test.boom',
  queue: 'beat-alert-test',
  payload: z.object({}),
  result: z.object({}),
  retry: { attempts: 1 },
});
const logger = createLogger('test', { level: 'silent' });

describe('beat evaluates the alert rules', () => {
  let harness: Awaited<ReturnType<typeof beatHarness>>;
  let worker: TaskWorker;
  let runtime: Runtime;
  beforeAll(async () => {
    harness = await beatHarness('beat_alerts');
    // The beats project the stream's rows.
    runtime = await createTestRuntime({
      redis: harness.redis,
      database: harness.database,
      registry: new TaskRegistry([boom]),
      logger,
      project: false,
    });
    const { records, events } = runtime;
    worker = new TaskWorker({
      queue: boom.queue,
      tasks: [
        implementTask(boom, async () => {
          throw new Error('boom');
        }),
      ],
      connection: harness.redis.redis,
      prefix: harness.redis.prefix,
      records,
      logger,
      events,
    });
    await worker.start();
  });
  afterAll(async () => {
    await worker.close();
    await runtime.stop();
    await harness.close();
  });

  it('opens an alert within seconds of a task failing for good, long before the interval, once for two beats', async () => {
    // An interval far beyond the test: only the failure can trigger the evaluation.
    const env = { ALERT_INTERVAL_MS: '3600000', ALERT_EVENT_DELAY_MS: '500' };
    const [first] = await Promise.all([harness.start([], env), harness.start([], env)]);
    await first!.alerts.rules.create({
      id: 'dead-letters',
      kind: 'dead_letter_growth',
      threshold: 0,
      severity: 'critical',
      message: '{{value}} new dead letters',
    });
    const failedAt = Date.now();
    await runtime.client.submit(boom.name, {});
    const [alert] = await waitFor(
      async () => {
        const open = await first!.alerts.list({ ruleId: 'dead-letters' });
        // The alert is stored before its notifications are sent and recorded.
        return open.length > 0 && open[0]!.notifications.length > 0 ? open : undefined;
      },
      { what: 'the dead-letter alert and its notification', timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(Date.now() - failedAt).toBeLessThan(5_000);
    expect(alert).toMatchObject({ status: 'firing', value: 1, message: '1 new dead letters' });
    expect(alert!.notifications).toHaveLength(1);
    // The second beat saw the same failure: still one alert, notified once.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const open = await first!.alerts.list({ ruleId: 'dead-letters' });
    expect(open).toHaveLength(1);
    expect(open[0]!.notifications).toHaveLength(1);
  });
});
