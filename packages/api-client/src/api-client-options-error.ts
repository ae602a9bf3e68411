/** `createApiClient` was given options it cannot work with; nothing was sent. */
export class ApiClientOptionsError extends Error {
  readonly code = 'API_CLIENT_OPTIONS_INVALID';

  constructor(message: string) {
    super(message);
    this.name = 'ApiClientOptionsError';
  }
}
