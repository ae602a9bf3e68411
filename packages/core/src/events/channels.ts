/** Redis stream that keeps the recent task events of one key prefix, for readers that resume. */
export const taskEventsStream = (prefix: string) => `${prefix}:task-events:log`;

/** Redis pub/sub channel on which cancel requests reach every worker under one key prefix. */
export const cancelChannel = (prefix: string) => `${prefix}:cancel`;

/** Marks a task as cancelled, so a worker that picks it up after the request never runs it. */
export const cancelledKey = (prefix: string, taskId: string) => `${prefix}:cancelled:${taskId}`;
/** Set while a task is parked (delayed until its deadline); whoever deletes it wakes the task. */
export const parkedKey = (prefix: string, taskId: string) => `${prefix}:parked:${taskId}`;

/**
 * A cancel request on the cancel channel: the task, and the run a worker that picks the task up
 * right now would start (a worker already running the task aborts whatever run it is on).
 */
export interface CancelRequest {
  taskId: string;
  run: number;
}

export const encodeCancelRequest = (request: CancelRequest): string => JSON.stringify(request);

/** The request in a cancel-channel message; undefined for a message that is not one. */
export function decodeCancelRequest(message: string): CancelRequest | undefined {
  try {
    const { taskId, run } = JSON.parse(message) as Partial<CancelRequest>;
    return typeof taskId === 'string' && Number.isInteger(run) ? { taskId, run: run as number } : undefined;
  } catch {
    return undefined;
  }
}
