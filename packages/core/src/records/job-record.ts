import type { NewTaskRecord } from '@foreman/db';
import type { TaskJobData } from '../client/job-data.js';
import { traceIdOf } from '../tracing/task-trace.js';

/** A task's job as any layer holds it: a BullMQ job, a prepared submit, a fair admission entry. */
export interface JobForRecord {
  name: string;
  data: TaskJobData;
  opts: { priority?: number | undefined; attempts?: number | undefined };
  /** When the task was submitted: its record's createdAt, the same instant for every step. */
  timestamp: number;
}

/**
 * The fields of a task's record that its job settles once and for all, whatever step writes the
 * row: the one mapping from a job to a record, used by the client and the worker alike.
 */
export function jobRecord(
  taskId: string,
  queue: string,
  job: JobForRecord,
): Required<
  Pick<
    NewTaskRecord,
    | 'id'
    | 'name'
    | 'queue'
    | 'userId'
    | 'priority'
    | 'maxRetries'
    | 'createdAt'
    | 'queueJobId'
    | 'replayOf'
    | 'traceId'
  >
> {
  return {
    id: taskId,
    name: job.name,
    queue,
    userId: job.data.userId ?? null,
    priority: Number(job.opts.priority ?? 0),
    maxRetries: (job.opts.attempts ?? 1) - 1,
    createdAt: new Date(job.timestamp),
    queueJobId: taskId,
    replayOf: job.data.replayOf ?? null,
    traceId: traceIdOf(job.data.traceparent),
  };
}
