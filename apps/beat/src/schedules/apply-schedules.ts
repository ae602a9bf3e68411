import { type ScheduleDeclaration, TASK_BACKOFF, validatePayload } from '@foreman/core';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Registers each schedule as a BullMQ job scheduler. Schedulers live in Redis and are upserted by
 * id, so any number of beat instances, or a restarted one, produce each occurrence once.
 */
export async function applySchedules(
  schedules: ScheduleDeclaration[],
  { connection, prefix }: { connection: Redis; prefix: string },
): Promise<void> {
  const queues = new Map<string, Queue>();
  try {
    for (const schedule of schedules) {
      const payload = validatePayload(schedule.task, schedule.payload);
      let queue = queues.get(schedule.task.queue);
      if (!queue) {
        queue = new Queue(schedule.task.queue, { connection, prefix });
        queues.set(schedule.task.queue, queue);
      }
      await queue.upsertJobScheduler(
        schedule.id,
        schedule.cron
          ? { pattern: schedule.cron, tz: schedule.timezone ?? 'UTC' }
          : { every: schedule.everyMs! },
        {
          name: schedule.task.name,
          data: { payload },
          opts: { attempts: schedule.task.retry.attempts, backoff: { type: TASK_BACKOFF } },
        },
      );
    }
  } finally {
    await Promise.all([...queues.values()].map((queue) => queue.close()));
  }
}
