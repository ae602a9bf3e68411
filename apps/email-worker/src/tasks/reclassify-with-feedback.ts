import { emailIntelligence } from '@foreman/contracts';
import { implementTask } from '@foreman/core/task';
import { and, asc, emailFeedback, eq, inArray, inboundEmails, isNull, ne, or } from '@foreman/db';
import { type LabelTally, labelMessages } from '../categorize/label-messages.js';
import { UserClassifier } from '../categorize/user-classifier.js';
import type { ClassifyEmailsDeps } from './classify-email-batch.js';

/**
 * Re-labels the corrected messages, then the rest of the user's mail (up to `limit`, oldest
 * first) with what the corrections teach. Deterministic for a given set of corrections, so a retry
 * lands on the same labels.
 */
export function reclassifyWithFeedbackTask(deps: ClassifyEmailsDeps) {
  return implementTask(
    emailIntelligence.reclassifyWithFeedback,
    async ({ userId, limit, useAi }, context) => {
      const { db } = deps;
      const classifier = await UserClassifier.load(db, userId, deps);
      const askModel = useAi ?? deps.useAiByDefault;
      const corrections = await db
        .select({ emailId: emailFeedback.emailId })
        .from(emailFeedback)
        .where(eq(emailFeedback.userId, userId));
      const correctedIds = corrections.map((row) => row.emailId);
      const corrected =
        correctedIds.length === 0
          ? []
          : await db
              .select()
              .from(inboundEmails)
              .where(and(eq(inboundEmails.userId, userId), inArray(inboundEmails.id, correctedIds)));
      const first = await labelMessages(db, classifier, corrected, {
        askModel,
        relabel: true,
        signal: context.signal,
        progress: (percent) => context.progress(percent * 0.2, 'corrected messages'),
      });
      if (correctedIds.length > 0) {
        await db
          .update(emailFeedback)
          .set({ appliedAt: new Date() })
          .where(and(eq(emailFeedback.userId, userId), inArray(emailFeedback.emailId, correctedIds)));
      }
      const rest = await db
        .select()
        .from(inboundEmails)
        .where(
          and(
            eq(inboundEmails.userId, userId),
            or(isNull(inboundEmails.categorizedBy), ne(inboundEmails.categorizedBy, 'feedback')),
          ),
        )
        .orderBy(asc(inboundEmails.receivedAt), asc(inboundEmails.id))
        .limit(limit);
      const correctedSet = new Set(correctedIds);
      const others = rest.filter((message) => !correctedSet.has(message.id));
      const second = await labelMessages(db, classifier, others, {
        askModel,
        relabel: true,
        signal: context.signal,
        progress: (percent) => context.progress(20 + percent * 0.8, 'other messages'),
      });
      return { ...sum(first, second), corrections: correctedIds.length };
    },
  );
}

function sum(a: LabelTally, b: LabelTally): LabelTally {
  return {
    classified: a.classified + b.classified,
    byFeedback: a.byFeedback + b.byFeedback,
    byLearned: a.byLearned + b.byLearned,
    byRule: a.byRule + b.byRule,
    byReputation: a.byReputation + b.byReputation,
    byAi: a.byAi + b.byAi,
    byDefault: a.byDefault + b.byDefault,
    changed: a.changed + b.changed,
    errors: [...a.errors, ...b.errors],
  };
}
