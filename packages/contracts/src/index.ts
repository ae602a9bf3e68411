import { TaskRegistry } from '@foreman/core/producer';
import * as ai from './ai.js';
import * as email from './email.js';
import * as emailIntelligence from './email-intelligence.js';
import * as file from './file.js';
import * as mailbox from './mailbox.js';
import * as maintenance from './maintenance.js';
import * as sync from './sync.js';

export * as ai from './ai.js';
export * as email from './email.js';
export * as emailIntelligence from './email-intelligence.js';
export * as file from './file.js';
export * as mailbox from './mailbox.js';
export * as maintenance from './maintenance.js';
export { QUEUES, type QueueName } from './queues.js';
export * as sync from './sync.js';

/** Every task of the system, by contract; what the api validates and routes submissions with. */
export const allContracts = [
  ai.completePrompt,
  ai.processDueAiTasks,
  ai.runAiTask,
  email.sendEmail,
  email.processEmailQueue,
  email.sendDailyEmailSummary,
  email.categorizeEmails,
  emailIntelligence.classifyEmailBatch,
  emailIntelligence.reclassifyWithFeedback,
  emailIntelligence.clusterUserEmails,
  emailIntelligence.updateSenderReputation,
  emailIntelligence.exportUserData,
  emailIntelligence.updateAnalytics,
  mailbox.syncUserEmails,
  mailbox.incrementalSync,
  mailbox.syncEmailMetadata,
  mailbox.cleanupOldEmails,
  mailbox.bulkDeleteEmails,
  mailbox.bulkArchiveEmails,
  mailbox.bulkLabelEmails,
  mailbox.cleanupExpiredTokens,
  mailbox.rotateMailboxSecrets,
  file.checksumFile,
  file.cleanupTempFiles,
  file.backupUserData,
  file.verifyBackup,
  sync.fetchUrl,
  sync.syncCalendarEvents,
  sync.syncNotionPages,
  maintenance.healthCheck,
  maintenance.monitorSystemHealth,
  maintenance.cleanupOldLogs,
  maintenance.optimizeDatabase,
  maintenance.enforceRetentionPolicy,
  maintenance.cleanQueues,
];

/** Every recurring schedule of the system, declared by each domain next to its tasks. */
export const allSchedules = [
  ...ai.schedules,
  ...email.schedules,
  ...emailIntelligence.schedules,
  ...file.schedules,
  ...mailbox.schedules,
  ...maintenance.schedules,
  ...sync.schedules,
];

export function createRegistry(): TaskRegistry {
  return new TaskRegistry(allContracts);
}
