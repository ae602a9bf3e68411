import { maintenance } from '@foreman/contracts';
import type { TaskContract } from '@foreman/core';

export interface DeclaredSchedule {
  /** Stable id; beats and restarts converge on one scheduler per id. */
  id: string;
  task: TaskContract;
  payload: unknown;
  /** Fires every this many milliseconds. */
  everyMs: number;
}

export const declaredSchedules: DeclaredSchedule[] = [
  {
    id: 'maintenance.health_check.every-5m',
    task: maintenance.healthCheck,
    payload: {},
    everyMs: 5 * 60_000,
  },
];
