import type { AiUsageStore } from '@foreman/db';
import type { Meter } from '@opentelemetry/api';
import { AiBudgetExceededError } from './ai-budget-exceeded-error.js';

/**
 * Counts what AI calls use, per user and UTC day in PostgreSQL (for budgets) and as metrics
 * (without user labels), and refuses a new model call once the user's daily budget is spent.
 * Two calls running at once may both pass the check: a budget can be overrun by what they use.
 */
export class AiUsageMeter {
  private readonly tokens;
  private readonly steps;
  private readonly refused;

  constructor(
    private readonly store: AiUsageStore,
    meter: Meter,
  ) {
    this.tokens = meter.createCounter('foreman_ai_tokens', {
      description: 'Model tokens used by AI tasks, by kind (prompt, completion)',
    });
    this.steps = meter.createCounter('foreman_ai_steps', {
      description: 'Steps AI tasks ran (not replayed), by kind (model, tool)',
    });
    this.refused = meter.createCounter('foreman_ai_budget_refusals', {
      description: 'Model calls refused because the user had spent the daily budget',
    });
  }

  /** Throws AiBudgetExceededError when the user has spent today's budget. */
  async assertWithinBudget(userId: string, taskId: string | undefined): Promise<void> {
    const today = await this.store.today(userId);
    const usedTokens = today.promptTokens + today.completionTokens;
    if (today.dailyTokens === null || usedTokens < today.dailyTokens) return;
    this.refused.add(1);
    throw new AiBudgetExceededError(
      { userId, dailyTokens: today.dailyTokens, usedTokens, day: today.day },
      taskId,
    );
  }

  async recordModelCall(
    userId: string,
    { promptTokens, completionTokens }: { promptTokens: number; completionTokens: number },
  ) {
    this.tokens.add(promptTokens, { kind: 'prompt' });
    this.tokens.add(completionTokens, { kind: 'completion' });
    this.steps.add(1, { kind: 'model' });
    await this.store.record(userId, { promptTokens, completionTokens, modelCalls: 1, toolCalls: 0 });
  }

  async recordToolCall(userId: string) {
    this.steps.add(1, { kind: 'tool' });
    await this.store.record(userId, { promptTokens: 0, completionTokens: 0, modelCalls: 0, toolCalls: 1 });
  }
}
