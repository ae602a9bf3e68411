/** A remote that could not be reached or answered with something other than what was asked for. */
export class RemoteError extends Error {
  readonly code = 'REMOTE_REQUEST_FAILED';

  constructor(
    message: string,
    readonly status: number | undefined,
    /** Unreachable, 429 and 5xx may pass; a 4xx or a malformed answer will not. */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}
