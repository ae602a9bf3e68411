import { and, type Db, eq, type InboundEmailRow, inboundEmails, isNull, ne, or } from '@foreman/db';
import type { UserClassifier } from './user-classifier.js';

export interface LabelTally {
  classified: number;
  byFeedback: number;
  byLearned: number;
  byRule: number;
  byReputation: number;
  byAi: number;
  byDefault: number;
  changed: number;
  errors: Array<{ id: string; error: string }>;
}

type Message = Pick<InboundEmailRow, 'id' | 'fromAddress' | 'subject' | 'body' | 'category'>;

interface LabelRun {
  askModel: boolean;
  /** Re-label classified messages too; otherwise only those still unclassified are written. */
  relabel: boolean;
  signal: AbortSignal;
  progress(percent: number): Promise<void>;
}

/**
 * Decides and stores each message's category. Writes are conditional: without `relabel` on the
 * message still being unclassified; with it, on not having been corrected since, so a retry or an
 * overlapping run never overwrites the user's word.
 */
export async function labelMessages(
  db: Db,
  classifier: UserClassifier,
  messages: readonly Message[],
  run: LabelRun,
): Promise<LabelTally> {
  const tally: LabelTally = {
    classified: 0,
    byFeedback: 0,
    byLearned: 0,
    byRule: 0,
    byReputation: 0,
    byAi: 0,
    byDefault: 0,
    changed: 0,
    errors: [],
  };
  for (const [index, message] of messages.entries()) {
    run.signal.throwIfAborted();
    try {
      const { category, by } = await classifier.decide(message, run.askModel, run.signal);
      const guard = run.relabel
        ? by === 'feedback'
          ? undefined
          : or(isNull(inboundEmails.categorizedBy), ne(inboundEmails.categorizedBy, 'feedback'))
        : isNull(inboundEmails.categorizedAt);
      const updated = await db
        .update(inboundEmails)
        .set({ category, categorizedBy: by, categorizedAt: new Date() })
        .where(and(eq(inboundEmails.id, message.id), guard))
        .returning({ id: inboundEmails.id });
      if (updated.length > 0) {
        tally.classified += 1;
        if (message.category !== null && message.category !== category) tally.changed += 1;
        if (by === 'feedback') tally.byFeedback += 1;
        else if (by.startsWith('learned:')) tally.byLearned += 1;
        else if (by.startsWith('rule:')) tally.byRule += 1;
        else if (by === 'reputation') tally.byReputation += 1;
        else if (by === 'ai') tally.byAi += 1;
        else tally.byDefault += 1;
      }
    } catch (error) {
      if (run.signal.aborted) throw error;
      // Left as it was: the next run tries it again.
      tally.errors.push({ id: message.id, error: (error as Error).message });
    }
    await run.progress(((index + 1) / messages.length) * 100);
  }
  return tally;
}
