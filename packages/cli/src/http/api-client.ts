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

  /**
   * Opens a server-sent event stream; the answer's body is the stream. Only connecting is timed:
   * the stream itself stays open as long as the api keeps it.
   */
  async stream(path: string, query: Query, lastEventId?: string): Promise<ReadableStream<Uint8Array>> {
    const url = this.url(path, query);
    const headers = { ...this.headers(), accept: 'text/event-stream' };
    if (lastEventId) Object.assign(headers, { 'last-event-id': lastEventId });
    const connecting = new AbortController();
    const timer = setTimeout(() => connecting.abort(timeoutError()), this.options.timeoutMs);
    let response: Response;
    try {
      response = await this.fetch(url, { headers, signal: connecting.signal });
    } catch (error) {
      throw unreachable(url, error, this.options.timeoutMs);
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok || !response.body) {
      const text = await response.text();
      throw errorOf(response, parseJson(text), text);
    }
    return response.body;
  }

  private url(path: string, query: Query): URL {
    const url = new URL(path.replace(/^\//, ''), this.options.baseUrl.replace(/\/?$/, '/'));
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url;
  }

  private headers(): Record<string, string> {
    if (!this.options.key) {
      throw new CliError(
        'API_KEY_MISSING',
        'An api key is needed: pass --key or set FOREMAN_API_KEY',
        EXIT.unauthorized,
      );
    }
    return { authorization: `Bearer ${this.options.key}` };
  }

  private async request<T>(method: string, path: string, query: Query, body?: unknown): Promise<T> {
    const headers = this.headers();
    const url = this.url(path, query);
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

const timeoutError = () => Object.assign(new Error('connecting timed out'), { name: 'TimeoutError' });

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
