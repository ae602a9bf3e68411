export type GuardedFetchErrorCode = 'URL_NOT_ALLOWED' | 'TOO_MANY_REDIRECTS';

/**
 * A fetch of a user-given URL refused before any byte reached its target: a scheme other than
 * http(s), an address that is not public, or a redirect chain past the hop limit. Retrying cannot
 * help, so callers fail the task for good.
 */
export class GuardedFetchError extends Error {
  constructor(
    readonly code: GuardedFetchErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'GuardedFetchError';
  }
}
