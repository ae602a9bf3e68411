/** An answer from the model server that is not a usable completion. */
export class ChatCompletionError extends Error {
  readonly code = 'AI_REQUEST_FAILED';

  constructor(
    message: string,
    readonly status: number | undefined,
    /** 429 and 5xx are worth another attempt; a 4xx or a malformed answer is not. */
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ChatCompletionError';
  }
}
