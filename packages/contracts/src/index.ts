import { TaskRegistry } from '@foreman/core';
import { completePrompt } from './ai.js';
import { sendEmail } from './email.js';
import { checksumFile } from './file.js';
import { healthCheck, schedules as maintenanceSchedules } from './maintenance.js';
import { fetchUrl } from './sync.js';

export * as ai from './ai.js';
export * as email from './email.js';
export * as file from './file.js';
export * as maintenance from './maintenance.js';
export { QUEUES, type QueueName } from './queues.js';
export * as sync from './sync.js';

/** Every task of the system, by contract; what the api validates and routes submissions with. */
export const allContracts = [completePrompt, sendEmail, checksumFile, fetchUrl, healthCheck];

/** Every recurring schedule of the system, declared by each domain next to its tasks. */
export const allSchedules = [...maintenanceSchedules];

export function createRegistry(): TaskRegistry {
  return new TaskRegistry(allContracts);
}
