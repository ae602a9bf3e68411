import type { AnyTaskImplementation, WorkerResources } from '@foreman/core';
import { healthCheckTask } from './health-check.js';

export function maintenanceTasks(resources: WorkerResources): AnyTaskImplementation[] {
  return [healthCheckTask(resources)];
}
