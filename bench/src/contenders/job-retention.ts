import type { JobsOptions } from 'bullmq';

/** What our client keeps of finished jobs in Redis; raw BullMQ gets the same so Redis does equal work. */
export const JOB_RETENTION: JobsOptions = {
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3_600 },
};
