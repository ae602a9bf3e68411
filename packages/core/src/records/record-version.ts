import type { TaskStatus } from '@foreman/db';

const PHASE: Record<TaskStatus, number> = {
  pending: 0,
  running: 1,
  retrying: 2,
  completed: 3,
  failed: 3,
  cancelled: 4,
};

/**
 * Orders the writes of one task's lifecycle. Writes come from the api and several workers and may
 * land out of order; a record only ever moves to a higher version.
 */
export function recordVersion(status: TaskStatus, attempt: number): number {
  return attempt * 10 + PHASE[status];
}
