/** An error answer of the api: its status and the api's own `{ error: { code, message, details? } }`. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    /** The api's code (`TASK_NOT_FOUND`, ...), or `HTTP_<status>` when the answer had no error body. */
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }

  /** The error an answer carries; falls back to its status and text when it is not the api's shape. */
  static of(response: Response, body: unknown): ApiRequestError {
    const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)
      ?.error;
    if (error && typeof error.code === 'string' && typeof error.message === 'string') {
      return new ApiRequestError(response.status, error.code, error.message, error.details);
    }
    const text = typeof body === 'string' ? body.slice(0, 200) : '';
    return new ApiRequestError(
      response.status,
      `HTTP_${response.status}`,
      text || response.statusText || `status ${response.status}`,
    );
  }
}
