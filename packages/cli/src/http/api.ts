import {
  ApiRequestError as ApiAnswerError,
  type ApiClient,
  createApiClient,
  unwrap,
} from '@foreman/api-client';
import { ApiRequestError, CliError, EXIT } from '../errors.js';

export interface CliApiOptions {
  baseUrl: string;
  key?: string | undefined;
  timeoutMs: number;
}

/**
 * The generated api client, sending the key as a bearer token. A request without a key fails
 * before anything is sent; a request is timed out after `timeoutMs`, an event stream only while
 * connecting (the stream stays open as long as the api keeps it).
 */
export function createCliApi(options: CliApiOptions): ApiClient {
  const { key, timeoutMs } = options;
  return createApiClient({
    baseUrl: options.baseUrl,
    token: key,
    async fetch(request) {
      if (!key) {
        throw new CliError(
          'API_KEY_MISSING',
          'An api key is needed: pass --key or set FOREMAN_API_KEY',
          EXIT.unauthorized,
        );
      }
      const streaming = request.headers.get('accept') === 'text/event-stream';
      const connecting = new AbortController();
      const timer = setTimeout(() => connecting.abort(timeoutError()), timeoutMs);
      try {
        return await globalThis.fetch(request, {
          signal: streaming ? connecting.signal : AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw unreachable(request.url, error, timeoutMs);
      } finally {
        clearTimeout(timer);
      }
    },
  });
}

/**
 * The data of a call; the api's error answers become `ApiRequestError` (with the cli's exit
 * codes), an answer that is not JSON `API_ANSWER_INVALID`, a body that stopped coming `API_TIMEOUT`.
 */
export async function call<Data>(
  request: Promise<{ data?: Data; error?: unknown; response: Response }>,
): Promise<Data> {
  try {
    return await unwrap(request);
  } catch (error) {
    if (error instanceof ApiAnswerError) {
      throw new ApiRequestError(error.status, error.code, error.message, error.details);
    }
    if (error instanceof CliError) throw error;
    if (error instanceof SyntaxError)
      throw new CliError('API_ANSWER_INVALID', 'The api answered without JSON');
    throw unreachable(undefined, error, undefined);
  }
}

const timeoutError = () => Object.assign(new Error('connecting timed out'), { name: 'TimeoutError' });

function unreachable(url: string | undefined, error: unknown, timeoutMs: number | undefined): CliError {
  const origin = url ? new URL(url).origin : 'the api';
  if (error instanceof Error && error.name === 'TimeoutError') {
    const within = timeoutMs === undefined ? '' : ` within ${timeoutMs} ms`;
    return new CliError('API_TIMEOUT', `No answer from ${origin}${within}`, EXIT.unreachable);
  }
  const cause =
    error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
  return new CliError('API_UNREACHABLE', `Cannot reach the api at ${origin}: ${cause}`, EXIT.unreachable);
}
