import { emailIntelligence } from '@foreman/contracts';
import { implementTask } from '@foreman/core/task';
import { and, asc, type Db, eq, inboundEmails, isNull, ne, or } from '@foreman/db';
import { labelMessages } from '../categorize/label-messages.js';
import { type ClassifierSettings, UserClassifier } from '../categorize/user-classifier.js';

export interface ClassifyEmailsDeps extends ClassifierSettings {
  db: Db;
  useAiByDefault: boolean;
}

/** Classifies a batch of one user's messages, oldest first: unclassified ones, or all but corrected ones. */
export function classifyEmailBatchTask(deps: ClassifyEmailsDeps) {
  return implementTask(
    emailIntelligence.classifyEmailBatch,
    async ({ userId, limit, useAi, reclassify }, context) => {
      const { db } = deps;
      const classifier = await UserClassifier.load(db, userId, deps);
      const pending = reclassify
        ? or(isNull(inboundEmails.categorizedBy), ne(inboundEmails.categorizedBy, 'feedback'))
        : isNull(inboundEmails.categorizedAt);
      const messages = await db
        .select()
        .from(inboundEmails)
        .where(and(eq(inboundEmails.userId, userId), pending))
        .orderBy(asc(inboundEmails.receivedAt), asc(inboundEmails.id))
        .limit(limit);
      return labelMessages(db, classifier, messages, {
        askModel: useAi ?? deps.useAiByDefault,
        relabel: reclassify,
        signal: context.signal,
        progress: (percent) => context.progress(percent),
      });
    },
  );
}
