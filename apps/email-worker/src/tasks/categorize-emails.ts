import type { ChatClient } from '@foreman/ai-client';
import { email } from '@foreman/contracts';
import { implementTask } from '@foreman/core/task';
import { and, asc, type Db, emailRules, eq, inArray, inboundEmails, isNull, or } from '@foreman/db';
import { askCategory } from '../categorize/ask-category.js';
import { matchRule } from '../categorize/match-rule.js';

export interface CategorizeEmailsDeps {
  db: Db;
  /** Present when a model may be asked; used for messages no rule matches. */
  chat?: ChatClient | undefined;
  useAiByDefault: boolean;
  categories: readonly string[];
  defaultCategory: string;
}

/**
 * Categorises messages not yet categorised. Each update is conditional on the message still being
 * uncategorised, so a retry or an overlapping run never overwrites a decision.
 */
export function categorizeEmailsTask(deps: CategorizeEmailsDeps) {
  return implementTask(email.categorizeEmails, async ({ limit, useAi }, context) => {
    const { db } = deps;
    const messages = await db
      .select()
      .from(inboundEmails)
      .where(isNull(inboundEmails.categorizedAt))
      .orderBy(asc(inboundEmails.receivedAt))
      .limit(limit);
    const userIds = [...new Set(messages.map((message) => message.userId))];
    const rules =
      userIds.length === 0
        ? []
        : await db
            .select()
            .from(emailRules)
            .where(or(isNull(emailRules.userId), inArray(emailRules.userId, userIds)))
            .orderBy(asc(emailRules.position), asc(emailRules.id));
    const askModel = (useAi ?? deps.useAiByDefault) && deps.chat !== undefined;
    const tally = { categorized: 0, byRule: 0, byAi: 0, byDefault: 0 };
    const errors: Array<{ id: string; error: string }> = [];
    for (const [index, message] of messages.entries()) {
      context.signal.throwIfAborted();
      const own = rules.filter((rule) => rule.userId === null || rule.userId === message.userId);
      try {
        let category: string | undefined;
        let by: string;
        const rule = matchRule(message, own);
        if (rule) {
          category = rule.category;
          by = `rule:${rule.id}`;
        } else {
          if (askModel) {
            const known = [...new Set([...deps.categories, ...own.map((r) => r.category)])];
            category = await askCategory(deps.chat as ChatClient, message, known, context.signal);
          }
          by = category ? 'ai' : 'default';
          category ??= deps.defaultCategory;
        }
        const updated = await db
          .update(inboundEmails)
          .set({ category, categorizedBy: by, categorizedAt: new Date() })
          .where(and(eq(inboundEmails.id, message.id), isNull(inboundEmails.categorizedAt)))
          .returning({ id: inboundEmails.id });
        if (updated.length > 0) {
          tally.categorized += 1;
          if (by === 'ai') tally.byAi += 1;
          else if (by === 'default') tally.byDefault += 1;
          else tally.byRule += 1;
        }
      } catch (error) {
        // Left uncategorised: the next run tries it again.
        errors.push({ id: message.id, error: (error as Error).message });
      }
      await context.progress(((index + 1) / messages.length) * 100);
    }
    return { ...tally, errors };
  });
}
