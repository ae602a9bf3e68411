import { type ChatClient, ChatCompletionError } from '@foreman/ai-client';
import { ai } from '@foreman/contracts';
import { implementTask, NonRetryableError } from '@foreman/core/task';
import { AiBudgetExceededError } from '../agent/ai-budget-exceeded-error.js';
import type { AiUsageMeter } from '../agent/ai-usage-meter.js';
import { pushedBack } from './pushed-back.js';

export function completePromptTask({ chat, usage }: { chat: ChatClient; usage: AiUsageMeter }) {
  return implementTask(ai.completePrompt, async (request, context) => {
    try {
      // A user's prompt counts against the user's daily budget; the system's has none.
      if (context.userId) await usage.assertWithinBudget(context.userId, context.taskId);
      const answer = await chat.complete(request, context.signal);
      if (context.userId) await usage.recordModelCall(context.userId, answer);
      return answer;
    } catch (error) {
      if (error instanceof AiBudgetExceededError)
        throw new NonRetryableError(error.message, { cause: error });
      const limited = pushedBack(error);
      if (limited) throw limited;
      // A 4xx or malformed answer fails the same way on every attempt: do not retry it.
      if (error instanceof ChatCompletionError && !error.retryable)
        throw new NonRetryableError(error.message);
      throw error;
    }
  });
}
