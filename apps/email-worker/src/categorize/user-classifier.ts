import type { ChatClient } from '@foreman/ai-client';
import {
  and,
  asc,
  type Db,
  desc,
  type EmailRuleRow,
  emailFeedback,
  emailRules,
  emailSenderReputation,
  eq,
  type InboundEmailRow,
  inboundEmails,
  isNull,
  or,
} from '@foreman/db';
import { askCategory, type CategoryExample } from './ask-category.js';
import { type Correction, type LearnedPreferences, learnFromFeedback } from './learn-from-feedback.js';
import { matchRule } from './match-rule.js';
import { senderAddress, senderDomain } from './tokenize.js';

export interface ClassifierSettings {
  /** Present when a model may be asked; used for messages nothing else places. */
  chat?: ChatClient | undefined;
  categories: readonly string[];
  defaultCategory: string;
  /** Where mail from a sender scoring at or below `lowReputationScore` goes. */
  spamCategory: string;
  lowReputationScore: number;
}

/** What decided a message's category, as stored in `categorized_by`. */
export type DecidedBy =
  | 'feedback'
  | 'learned:sender'
  | 'learned:domain'
  | 'learned:keywords'
  | `rule:${string}`
  | 'reputation'
  | 'ai'
  | 'default';

export interface Decision {
  category: string;
  by: DecidedBy;
}

const MAX_EXAMPLES = 20;

type Message = Pick<InboundEmailRow, 'id' | 'fromAddress' | 'subject' | 'body'>;

/**
 * One user's classifier: their corrections, what those teach, the rules that apply to them and
 * their senders' reputation, loaded once for a batch.
 */
export class UserClassifier {
  private constructor(
    private readonly settings: ClassifierSettings,
    private readonly corrections: Map<string, Correction>,
    private readonly learned: LearnedPreferences,
    private readonly rules: readonly EmailRuleRow[],
    private readonly reputation: Map<string, number>,
    private readonly examples: readonly CategoryExample[],
  ) {}

  static async load(db: Db, userId: string, settings: ClassifierSettings): Promise<UserClassifier> {
    const [corrections, rules, reputation] = await Promise.all([
      db
        .select({
          emailId: emailFeedback.emailId,
          category: emailFeedback.category,
          rejectedCategory: emailFeedback.rejectedCategory,
          fromAddress: inboundEmails.fromAddress,
          subject: inboundEmails.subject,
          body: inboundEmails.body,
        })
        .from(emailFeedback)
        .innerJoin(inboundEmails, eq(inboundEmails.id, emailFeedback.emailId))
        .where(and(eq(emailFeedback.userId, userId), eq(inboundEmails.userId, userId)))
        .orderBy(desc(emailFeedback.createdAt)),
      db
        .select()
        .from(emailRules)
        .where(or(isNull(emailRules.userId), eq(emailRules.userId, userId)))
        .orderBy(asc(emailRules.position), asc(emailRules.id)),
      db
        .select({ sender: emailSenderReputation.sender, score: emailSenderReputation.score })
        .from(emailSenderReputation)
        .where(eq(emailSenderReputation.userId, userId)),
    ]);
    const examples = corrections
      .filter((correction) => correction.category !== null)
      .slice(0, MAX_EXAMPLES)
      .map(({ fromAddress, subject, category }) => ({ fromAddress, subject, category: category as string }));
    return new UserClassifier(
      settings,
      new Map(corrections.map((correction) => [correction.emailId, correction])),
      learnFromFeedback(corrections),
      rules,
      new Map(reputation.map((row) => [row.sender, row.score])),
      examples,
    );
  }

  /**
   * The user's own word first, then what their corrections teach, the rules, the sender's
   * reputation, the model and the default. A category the user rejected for the message or its
   * sender is never chosen by the steps that follow the correction.
   */
  async decide(message: Message, askModel: boolean, signal: AbortSignal): Promise<Decision> {
    const { settings, learned } = this;
    const correction = this.corrections.get(message.id);
    if (correction?.category) return { category: correction.category, by: 'feedback' };
    const sender = senderAddress(message.fromAddress);
    const rejected = new Set(learned.rejectedBySender.get(sender));
    if (correction?.rejectedCategory) rejected.add(correction.rejectedCategory);
    const allowed = (category: string | undefined) =>
      category !== undefined && !rejected.has(category) ? category : undefined;

    const bySender = allowed(learned.senders.get(sender));
    if (bySender) return { category: bySender, by: 'learned:sender' };
    const rule = matchRule(
      message,
      this.rules.filter((candidate) => !rejected.has(candidate.category)),
    );
    if (rule) return { category: rule.category, by: `rule:${rule.id}` };
    const byDomain = allowed(learned.domains.get(senderDomain(message.fromAddress)));
    if (byDomain) return { category: byDomain, by: 'learned:domain' };
    const byWords = allowed(learned.keywords(`${message.subject} ${message.body}`));
    if (byWords) return { category: byWords, by: 'learned:keywords' };
    const score = this.reputation.get(sender);
    if (score !== undefined && score <= settings.lowReputationScore && allowed(settings.spamCategory)) {
      return { category: settings.spamCategory, by: 'reputation' };
    }
    if (askModel && settings.chat) {
      const known = [
        ...new Set([
          ...settings.categories,
          settings.spamCategory,
          ...this.rules.map((candidate) => candidate.category),
          ...this.examples.map((example) => example.category),
        ]),
      ].filter((category) => !rejected.has(category));
      const answer = await askCategory(settings.chat, message, known, signal, this.examples);
      if (answer) return { category: answer, by: 'ai' };
    }
    return { category: settings.defaultCategory, by: 'default' };
  }
}
