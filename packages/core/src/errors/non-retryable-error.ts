import { UnrecoverableError } from 'bullmq';

/**
 * Thrown by a handler to fail its task for good: no further attempt is made and the task goes
 * straight to the dead letters. Use it when retrying cannot help (a 4xx answer, a missing file).
 */
export class NonRetryableError extends UnrecoverableError {
  readonly code = 'NON_RETRYABLE';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message);
    this.name = 'NonRetryableError';
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
