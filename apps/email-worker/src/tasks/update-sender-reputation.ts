import { emailIntelligence } from '@foreman/contracts';
import { implementTask } from '@foreman/core/task';
import { and, type Db, emailFeedback, emailSenderReputation, eq, inboundEmails, sql } from '@foreman/db';
import { behaviourOf, reputationScore, type SenderBehaviour } from '../categorize/reputation-score.js';
import { senderAddress } from '../categorize/tokenize.js';

export interface UpdateSenderReputationDeps {
  db: Db;
  spamCategory: string;
  lowReputationScore: number;
  /** At or above it a sender counts as wanted in the result. */
  highReputationScore: number;
}

const PAGE = 2_000;

/**
 * Recomputes every sender's score for one user from all their stored messages and corrections,
 * then replaces the user's scores in one transaction: a retry computes the same thing again.
 */
export function updateSenderReputationTask(deps: UpdateSenderReputationDeps) {
  return implementTask(emailIntelligence.updateSenderReputation, async ({ userId }, context) => {
    const { db } = deps;
    const senders = new Map<string, SenderBehaviour>();
    const of = (sender: string) => {
      let behaviour = senders.get(sender);
      if (!behaviour) {
        behaviour = {
          messages: 0,
          seen: 0,
          answered: 0,
          archivedUnread: 0,
          junk: 0,
          correctedWanted: 0,
          correctedSpam: 0,
        };
        senders.set(sender, behaviour);
      }
      return behaviour;
    };
    // Keyset paging keeps memory to the senders, however many messages the user has.
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      context.signal.throwIfAborted();
      const page = await db
        .select({
          id: inboundEmails.id,
          fromAddress: inboundEmails.fromAddress,
          folder: inboundEmails.folder,
          flags: inboundEmails.flags,
          corrected: emailFeedback.category,
        })
        .from(inboundEmails)
        .leftJoin(emailFeedback, eq(emailFeedback.emailId, inboundEmails.id))
        .where(and(eq(inboundEmails.userId, userId), sql`${inboundEmails.id} > ${after}`))
        .orderBy(inboundEmails.id)
        .limit(PAGE);
      for (const message of page) {
        const behaviour = of(senderAddress(message.fromAddress));
        const shown = behaviourOf(message);
        behaviour.messages += 1;
        if (shown.seen) behaviour.seen += 1;
        if (shown.answered) behaviour.answered += 1;
        if (shown.archivedUnread) behaviour.archivedUnread += 1;
        if (shown.junk) behaviour.junk += 1;
        if (message.corrected === deps.spamCategory) behaviour.correctedSpam += 1;
        else if (message.corrected) behaviour.correctedWanted += 1;
      }
      if (page.length < PAGE) break;
      after = page.at(-1)?.id as string;
    }
    const rows = [...senders].map(([sender, behaviour]) => ({
      userId,
      sender,
      score: reputationScore(behaviour),
      ...behaviour,
      updatedAt: new Date(),
    }));
    await db.transaction(async (tx) => {
      await tx.delete(emailSenderReputation).where(eq(emailSenderReputation.userId, userId));
      for (let start = 0; start < rows.length; start += 1_000) {
        await tx.insert(emailSenderReputation).values(rows.slice(start, start + 1_000));
      }
    });
    await context.progress(100);
    return {
      senders: rows.length,
      low: rows.filter((row) => row.score <= deps.lowReputationScore).length,
      high: rows.filter((row) => row.score >= deps.highReputationScore).length,
    };
  });
}
