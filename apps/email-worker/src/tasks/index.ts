import type { AnyTaskImplementation } from '@foreman/core';
import { type CategorizeEmailsDeps, categorizeEmailsTask } from './categorize-emails.js';
import { type ProcessEmailQueueDeps, processEmailQueueTask } from './process-email-queue.js';
import { sendDailyEmailSummaryTask } from './send-daily-email-summary.js';
import { sendEmailTask } from './send-email.js';

export function emailTasks(deps: ProcessEmailQueueDeps & CategorizeEmailsDeps): AnyTaskImplementation[] {
  return [
    sendEmailTask(deps),
    processEmailQueueTask(deps),
    sendDailyEmailSummaryTask(deps),
    categorizeEmailsTask(deps),
  ];
}
