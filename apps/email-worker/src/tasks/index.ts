import type { AnyTaskImplementation } from '@foreman/core';
import { type CategorizeEmailsDeps, categorizeEmailsTask } from './categorize-emails.js';
import { type ClassifyEmailsDeps, classifyEmailBatchTask } from './classify-email-batch.js';
import { type ClusterUserEmailsDeps, clusterUserEmailsTask } from './cluster-user-emails.js';
import { type ProcessEmailQueueDeps, processEmailQueueTask } from './process-email-queue.js';
import { reclassifyWithFeedbackTask } from './reclassify-with-feedback.js';
import { sendDailyEmailSummaryTask } from './send-daily-email-summary.js';
import { sendEmailTask } from './send-email.js';
import { type UpdateSenderReputationDeps, updateSenderReputationTask } from './update-sender-reputation.js';

export function emailTasks(
  deps: ProcessEmailQueueDeps &
    CategorizeEmailsDeps &
    ClassifyEmailsDeps &
    ClusterUserEmailsDeps &
    UpdateSenderReputationDeps,
): AnyTaskImplementation[] {
  return [
    sendEmailTask(deps),
    processEmailQueueTask(deps),
    sendDailyEmailSummaryTask(deps),
    categorizeEmailsTask(deps),
    classifyEmailBatchTask(deps),
    reclassifyWithFeedbackTask(deps),
    clusterUserEmailsTask(deps),
    updateSenderReputationTask(deps),
  ];
}
