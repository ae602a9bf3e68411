import type { AnyTaskImplementation } from '@foreman/core/task';
import { FolderSync, type SyncLimits } from '../mailbox/folder-sync.js';
import type { MailboxTaskDeps } from '../mailbox/mailbox-runs.js';
import { bulkArchiveEmailsTask, bulkDeleteEmailsTask, bulkLabelEmailsTask } from './bulk-emails.js';
import { type CategorizeEmailsDeps, categorizeEmailsTask } from './categorize-emails.js';
import { type ClassifyEmailsDeps, classifyEmailBatchTask } from './classify-email-batch.js';
import { type ClusterUserEmailsDeps, clusterUserEmailsTask } from './cluster-user-emails.js';
import { type ProcessEmailQueueDeps, processEmailQueueTask } from './process-email-queue.js';
import { reclassifyWithFeedbackTask } from './reclassify-with-feedback.js';
import { sendDailyEmailSummaryTask } from './send-daily-email-summary.js';
import { sendEmailTask } from './send-email.js';
import {
  cleanupOldEmailsTask,
  incrementalSyncTask,
  syncEmailMetadataTask,
  syncUserEmailsTask,
} from './sync-mailboxes.js';
import { type UpdateSenderReputationDeps, updateSenderReputationTask } from './update-sender-reputation.js';

export type MailboxDeps = Omit<MailboxTaskDeps, 'sync'> & { syncLimits: SyncLimits };

export function emailTasks(
  deps: ProcessEmailQueueDeps &
    CategorizeEmailsDeps &
    ClassifyEmailsDeps &
    ClusterUserEmailsDeps &
    UpdateSenderReputationDeps &
    MailboxDeps,
): AnyTaskImplementation[] {
  const mailbox = { ...deps, sync: new FolderSync(deps.db, deps.syncLimits) };
  return [
    sendEmailTask(deps),
    processEmailQueueTask(deps),
    sendDailyEmailSummaryTask(deps),
    categorizeEmailsTask(deps),
    classifyEmailBatchTask(deps),
    reclassifyWithFeedbackTask(deps),
    clusterUserEmailsTask(deps),
    updateSenderReputationTask(deps),
    syncUserEmailsTask(mailbox),
    incrementalSyncTask(mailbox),
    syncEmailMetadataTask(mailbox),
    cleanupOldEmailsTask(deps),
    bulkDeleteEmailsTask(deps),
    bulkArchiveEmailsTask(deps),
    bulkLabelEmailsTask(deps),
  ];
}
