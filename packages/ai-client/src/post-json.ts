import { ChatCompletionError } from './chat-completion-error.js';

export interface ServerOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  timeoutMs?: number | undefined;
}

/**
 * POSTs JSON to `<baseUrl><path>` and returns the status and parsed body (undefined when it is
 * not JSON). Unreachable, 429 and 5xx are retryable ChatCompletionErrors; another non-2xx is not.
 */
export async function postJson(
  server: ServerOptions,
  path: string,
  body: unknown,
  signal?: AbortSignal,
): Promise<{ status: number; body: unknown }> {
  const response = await post(server, path, body, signal);
  return { status: response.status, body: await response.json().catch(() => undefined) };
}

/** POSTs JSON and returns the 2xx response unread (e.g. to read a stream); errors as postJson. */
export async function post(
  server: ServerOptions,
  path: string,
  body: unknown,
  signal?: AbortSignal,
): Promise<Response> {
  const timeout = AbortSignal.timeout(server.timeoutMs ?? 120_000);
  let response: Response;
  try {
    response = await fetch(`${server.baseUrl.replace(/\/$/, '')}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(server.apiKey ? { authorization: `Bearer ${server.apiKey}` } : {}),
      },
      body: JSON.stringify(body),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (error) {
    throw new ChatCompletionError(`model server unreachable: ${(error as Error).message}`, undefined, true);
  }
  if (!response.ok) {
    const detail = (await response.text().catch(() => '')).slice(0, 500);
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new ChatCompletionError(
      `model server answered ${response.status}${detail ? `: ${detail}` : ''}`,
      response.status,
      response.status === 429 || response.status >= 500,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1_000 : undefined,
    );
  }
  return response;
}
