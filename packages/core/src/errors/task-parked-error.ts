import { TaskError } from './task-error.js';

/**
 * Thrown by a handler that waits for something outside (an approval): the worker puts the task
 * back as delayed until `untilMs` without spending an attempt or holding a slot. `TaskClient.wake`
 * runs it sooner; either way the handler runs again from the start, so it must replay its
 * finished work (memoised steps) and find what it waited for.
 */
export class TaskParkedError extends TaskError {
  readonly untilMs: number;
  readonly reason: string;

  constructor({ untilMs, reason }: { untilMs: number; reason: string }) {
    if (!Number.isFinite(untilMs)) throw new TypeError('TaskParkedError: untilMs must be a timestamp');
    super('TASK_PARKED', `Task parked until ${new Date(untilMs).toISOString()}: ${reason}`);
    this.untilMs = untilMs;
    this.reason = reason;
  }
}
