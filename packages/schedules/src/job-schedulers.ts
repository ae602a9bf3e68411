import { isDeepStrictEqual } from 'node:util';
import type { RedisConnection } from '@foreman/core';
import { dstSafeRepeatStrategy, TASK_BACKOFF, type TaskContract, type TaskJobData } from '@foreman/core';
import type { ScheduleRecord } from '@foreman/db';
import { type JobSchedulerJson, Queue } from 'bullmq';

/** The BullMQ side of schedules: one job scheduler per enabled schedule, keyed by schedule id. */
export class JobSchedulers {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly options: { connection: RedisConnection; prefix: string }) {}

  /** Creates or replaces the schedule's job scheduler; BullMQ keeps one next job per id. */
  async apply(schedule: ScheduleRecord, contract: TaskContract): Promise<void> {
    const data: TaskJobData = { payload: schedule.payload };
    await this.queue(schedule.queue).upsertJobScheduler(
      schedule.id,
      schedule.cron !== null
        ? { pattern: schedule.cron, tz: schedule.timezone }
        : { every: schedule.everyMs as number },
      {
        name: schedule.taskName,
        data,
        opts: {
          attempts: contract.retry.attempts,
          backoff: { type: TASK_BACKOFF },
          removeOnComplete: { age: 3_600, count: 10_000 },
          removeOnFail: { age: 7 * 24 * 3_600 },
        },
      },
    );
  }

  async remove(queue: string, id: string): Promise<void> {
    await this.queue(queue).removeJobScheduler(id);
  }

  /** Every job scheduler of a queue, with its next run in epoch milliseconds. */
  list(queue: string): Promise<JobSchedulerJson[]> {
    return this.queue(queue).getJobSchedulers();
  }

  async get(queue: string, id: string): Promise<JobSchedulerJson | undefined> {
    return (await this.queue(queue).getJobScheduler(id)) ?? undefined;
  }

  /** True when the job scheduler already fires this schedule as it stands. */
  static matches(scheduler: JobSchedulerJson, schedule: ScheduleRecord): boolean {
    const data = scheduler.template?.data as TaskJobData | undefined;
    return (
      scheduler.name === schedule.taskName &&
      (scheduler.pattern ?? null) === schedule.cron &&
      (schedule.cron === null || (scheduler.tz ?? 'UTC') === schedule.timezone) &&
      (scheduler.every ?? null) === schedule.everyMs &&
      isDeepStrictEqual(data?.payload, schedule.payload)
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.queues.clear();
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: this.options.connection,
        prefix: this.options.prefix,
        settings: { repeatStrategy: dstSafeRepeatStrategy },
      });
      this.queues.set(name, queue);
    }
    return queue;
  }
}
