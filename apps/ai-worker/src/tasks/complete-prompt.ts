import { type ChatClient, ChatCompletionError } from '@foreman/ai-client';
import { ai } from '@foreman/contracts';
import { implementTask, NonRetryableError } from '@foreman/core';

export function completePromptTask({ chat }: { chat: ChatClient }) {
  return implementTask(ai.completePrompt, async (request, context) => {
    try {
      return await chat.complete(request, context.signal);
    } catch (error) {
      // A 4xx or malformed answer fails the same way on every attempt: do not retry it.
      if (error instanceof ChatCompletionError && !error.retryable)
        throw new NonRetryableError(error.message);
      throw error;
    }
  });
}
