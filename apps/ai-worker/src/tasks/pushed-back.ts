import { ChatCompletionError } from '@foreman/ai-client';
import { RateLimitedError } from '@foreman/core/task';

/**
 * The model server's 429 with a Retry-After, as the push-back the worker honours without spending
 * an attempt; other failures (a 429 without a wait included) keep to the retry policy.
 */
export function pushedBack(error: unknown): RateLimitedError | undefined {
  if (!(error instanceof ChatCompletionError) || error.status !== 429) return undefined;
  if (error.retryAfterMs === undefined) return undefined;
  return new RateLimitedError({ retryAfterMs: error.retryAfterMs, reason: error.message }, { cause: error });
}
