import { TaskError } from '@foreman/core/task';

/** The user's daily token budget is spent: no new model call is made until the next UTC day. */
export class AiBudgetExceededError extends TaskError<'AI_BUDGET_EXCEEDED'> {
  constructor(
    readonly details: { userId: string; dailyTokens: number; usedTokens: number; day: string },
    taskId: string | undefined,
  ) {
    super(
      'AI_BUDGET_EXCEEDED',
      `User "${details.userId}" has used ${details.usedTokens} of a daily budget of ${details.dailyTokens} AI tokens (${details.day} UTC)`,
      { taskId },
    );
  }
}
