import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { aiBudgets, aiUsageDaily } from '../schema/ai-usage.js';

export interface AiUsage {
  promptTokens: number;
  completionTokens: number;
  modelCalls: number;
  toolCalls: number;
}

export interface AiUsageToday extends AiUsage {
  /** The UTC day, YYYY-MM-DD, by the database's clock. */
  day: string;
  /** Prompt and completion tokens the user may use a day; null: no budget. */
  dailyTokens: number | null;
}

/** Today in UTC by the database's clock, so every worker counts into the same day. */
const TODAY: SQL<string> = sql`(now() at time zone 'UTC')::date`;

/** Users' AI usage per UTC day and their daily token budgets. */
export class AiUsageStore {
  constructor(private readonly db: Db) {}

  async today(userId: string): Promise<AiUsageToday> {
    const [row] = await this.db
      .select({
        day: sql<string>`${TODAY}::text`,
        promptTokens: sql<number>`coalesce(${aiUsageDaily.promptTokens}, 0)::int`,
        completionTokens: sql<number>`coalesce(${aiUsageDaily.completionTokens}, 0)::int`,
        modelCalls: sql<number>`coalesce(${aiUsageDaily.modelCalls}, 0)::int`,
        toolCalls: sql<number>`coalesce(${aiUsageDaily.toolCalls}, 0)::int`,
        dailyTokens: aiBudgets.dailyTokens,
      })
      .from(sql`(select 1) as one`)
      .leftJoin(aiUsageDaily, and(eq(aiUsageDaily.userId, userId), eq(aiUsageDaily.day, TODAY)))
      .leftJoin(aiBudgets, eq(aiBudgets.userId, userId));
    return row as AiUsageToday;
  }

  /** Adds to today's usage of the user. */
  async record(userId: string, usage: AiUsage): Promise<void> {
    await this.db
      .insert(aiUsageDaily)
      .values({ userId, day: TODAY, ...usage })
      .onConflictDoUpdate({
        target: [aiUsageDaily.userId, aiUsageDaily.day],
        set: {
          promptTokens: sql`${aiUsageDaily.promptTokens} + ${usage.promptTokens}`,
          completionTokens: sql`${aiUsageDaily.completionTokens} + ${usage.completionTokens}`,
          modelCalls: sql`${aiUsageDaily.modelCalls} + ${usage.modelCalls}`,
          toolCalls: sql`${aiUsageDaily.toolCalls} + ${usage.toolCalls}`,
        },
      });
  }

  /** Sets the user's daily token budget (a whole number of at least 1), or removes it (null). */
  async setBudget(userId: string, dailyTokens: number | null, updatedBy: string): Promise<void> {
    if (dailyTokens === null) {
      await this.db.delete(aiBudgets).where(eq(aiBudgets.userId, userId));
      return;
    }
    if (!Number.isInteger(dailyTokens) || dailyTokens < 1) {
      throw new RangeError('dailyTokens must be a whole number of at least 1');
    }
    await this.db
      .insert(aiBudgets)
      .values({ userId, dailyTokens, updatedBy })
      .onConflictDoUpdate({
        target: aiBudgets.userId,
        set: { dailyTokens, updatedBy, updatedAt: new Date() },
      });
  }
}
