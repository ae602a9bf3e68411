import type { FairScheduler } from '@foreman/core';
import type { Meter } from '@opentelemetry/api';

/** One user's share of a fair queue. */
export interface UserFairness {
  userId: string;
  /** Tasks waiting for admission. */
  waiting: number;
  /** Tasks admitted and not finished (running, or next in the queue's small ready window). */
  running: number;
  /** Age of the user's oldest waiting task; null when nothing waits. */
  oldestWaitingAgeMs: number | null;
}

export interface FairnessReport {
  queues: Array<{ queue: string; users: UserFairness[] }>;
}

/** Paused keys exported with their resume time, per queue: the label set stays this small. */
const PAUSED_KEY_SERIES = 10;

export interface FairnessMetricsOptions {
  scheduler: FairScheduler;
  /** Where the gauges are registered; without one, the report is only read on request. */
  meter?: Meter;
}

/**
 * Per user and fair queue: tasks waiting for admission, running, and the oldest waiting one's age,
 * read from the fair admission layer in Redis at scrape time (one script per queue). Only users
 * with waiting or running work appear, so the label set follows the active users. Per queue with
 * admission also: how many flow keys wait, run and are paused, and the resume time of the
 * {@link PAUSED_KEY_SERIES} paused keys that resume first (bounded however many keys pause).
 */
export class FairnessMetrics {
  constructor(private readonly options: FairnessMetricsOptions) {
    const meter = options.meter;
    if (!meter) return;
    const waiting = meter.createObservableGauge('foreman_fair_waiting_tasks', {
      description: 'Tasks of a user waiting for fair admission to a queue',
    });
    const running = meter.createObservableGauge('foreman_fair_running_tasks', {
      description: 'Tasks of a user admitted to a fair queue and not finished',
    });
    const oldest = meter.createObservableGauge('foreman_fair_oldest_waiting_seconds', {
      description: "Age of a user's oldest task waiting for fair admission",
      unit: 's',
    });
    const waitingKeys = meter.createObservableGauge('foreman_flow_waiting_keys', {
      description: 'Flow keys of a queue with tasks waiting for admission',
    });
    const runningKeys = meter.createObservableGauge('foreman_flow_running_keys', {
      description: 'Flow keys of a queue with tasks admitted and not finished',
    });
    const pausedKeys = meter.createObservableGauge('foreman_flow_paused_keys', {
      description: 'Groups of a queue paused by a push-back (or by hand)',
    });
    const resumeAt = meter.createObservableGauge('foreman_flow_key_resume_timestamp_seconds', {
      description: `When a paused key resumes (Unix time), for the ${PAUSED_KEY_SERIES} of a queue that resume first`,
      unit: 's',
    });
    meter.addBatchObservableCallback(
      async (result) => {
        await Promise.all(
          options.scheduler.queues.map(async (queue) => {
            const flow = await options.scheduler.flowKeys(queue, PAUSED_KEY_SERIES);
            result.observe(waitingKeys, flow.keysWaiting, { queue });
            result.observe(runningKeys, flow.keysRunning, { queue });
            result.observe(pausedKeys, flow.pausedGroups, { queue });
            for (const paused of flow.paused) {
              result.observe(resumeAt, paused.resumeAt / 1000, { queue, key: paused.group });
            }
          }),
        );
      },
      [waitingKeys, runningKeys, pausedKeys, resumeAt],
    );
    meter.addBatchObservableCallback(
      async (result) => {
        for (const { queue, users } of (await this.report()).queues) {
          for (const user of users) {
            const labels = { queue, user: user.userId };
            result.observe(waiting, user.waiting, labels);
            result.observe(running, user.running, labels);
            if (user.oldestWaitingAgeMs !== null)
              result.observe(oldest, user.oldestWaitingAgeMs / 1000, labels);
          }
        }
      },
      [waiting, running, oldest],
    );
  }

  /** Every fair queue (or only `queue`), each with its users' shares. */
  async report(filter: { queue?: string | undefined } = {}): Promise<FairnessReport> {
    const { scheduler } = this.options;
    const queues = filter.queue === undefined ? scheduler.queues : [filter.queue];
    return {
      queues: await Promise.all(
        queues.map(async (queue) => {
          const metrics = await scheduler.metrics(queue);
          return {
            queue,
            users: metrics.users.map((user) => ({
              userId: user.userId,
              waiting: user.waiting,
              running: user.running,
              oldestWaitingAgeMs: user.oldestWaitingMs,
            })),
          };
        }),
      ),
    };
  }
}
