/** Redis pub/sub channel of every task's lifecycle and progress events under one key prefix. */
export const taskEventsChannel = (prefix: string) => `${prefix}:task-events`;

/** Redis stream that keeps the recent task events of one key prefix, for readers that resume. */
export const taskEventsStream = (prefix: string) => `${prefix}:task-events:log`;

/** Redis pub/sub channel on which cancel requests reach every worker under one key prefix. */
export const cancelChannel = (prefix: string) => `${prefix}:cancel`;

/** Marks a task as cancelled, so a worker that picks it up after the request never runs it. */
export const cancelledKey = (prefix: string, taskId: string) => `${prefix}:cancelled:${taskId}`;
