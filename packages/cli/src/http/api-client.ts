import { ApiRequestError, CliError, EXIT } from '../errors.js';

export interface ApiClientOptions {
  baseUrl: string;
  key?: string | undefined;
  timeoutMs: number;
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | boolean | undefined>;

/**
 * Calls the api with the key as a bearer token. Answers are parsed JSON; error answers become
 * `ApiRequestError` carrying the api's `{ error: { code, message, details } }`.
 */
export class ApiClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.request<T>('GET', path, query);
  }

  post<T>(path: string, body?: unknown, query: Query = {}): Promise<T> {
    return this.request<T>('POST', path, query, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path, {});
  }

  private async request<T>(method: string, path: string, query: Query, body?: unknown): Promise<T> {
    if (!this.options.key) {
      throw new CliError(
        'API_KEY_MISSING',
        'An api key is needed: pass --key or set FOREMAN_API_KEY',
        EXIT.unauthorized,
      );
    }
    const url = new URL(path.replace(/^\//, ''), this.options.baseUrl.replace(/\/?$/, '/'));
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.key}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw unreachable(url, error, this.options.timeoutMs);
    }
    const text = await response.text();
    const parsed = parseJson(text);
    if (!response.ok) throw errorOf(response, parsed, text);
    if (parsed === undefined) {
      throw new CliError(
        'API_ANSWER_INVALID',
        `${method} ${url.pathname} answered ${response.status} without JSON`,
      );
    }
    return parsed as T;
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function errorOf(response: Response, parsed: unknown, text: string): ApiRequestError {
  const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)
    ?.error;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    return new ApiRequestError(response.status, error.code, error.message, error.details);
  }
  return new ApiRequestError(
    response.status,
    `HTTP_${response.status}`,
    text.slice(0, 200) || response.statusText || `status ${response.status}`,
  );
}

function unreachable(url: URL, error: unknown, timeoutMs: number): CliError {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return new CliError(
      'API_TIMEOUT',
      `No answer from ${url.origin} within ${timeoutMs} ms`,
      EXIT.unreachable,
    );
  }
  const cause =
    error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
  return new CliError('API_UNREACHABLE', `Cannot reach the api at ${url.origin}: ${cause}`, EXIT.unreachable);
}
