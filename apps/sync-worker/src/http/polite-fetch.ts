import { setTimeout as sleep } from 'node:timers/promises';
import {
  type GuardedFetch,
  GuardedFetchError,
  type GuardedRequestInit,
  type GuardedResponse,
} from '@foreman/net';
import { RemoteError } from './remote-error.js';

export interface PoliteFetchOptions {
  /** Fetches with the address check (users give the URLs). */
  http: GuardedFetch;
  /** Least time between the starts of two requests (e.g. 334 ms for three a second). */
  minIntervalMs: number;
  /** Longest Retry-After honoured by waiting; a longer one fails the request as retryable. */
  maxRetryAfterMs: number;
  /** 429/503 answers waited out per request before giving up. */
  maxRateLimitRetries?: number;
  timeoutMs: number;
}

/**
 * fetch that respects a remote's rate limits: spaces its requests, and on 429 or 503 waits as long
 * as Retry-After says (or backs off) before asking again. Network failures become RemoteErrors; a
 * refused address stays a GuardedFetchError (not retryable).
 */
export class PoliteFetch {
  private nextSlot = 0;

  constructor(private readonly options: PoliteFetchOptions) {}

  async fetch(
    url: string,
    init: Omit<GuardedRequestInit, 'signal'>,
    signal: AbortSignal,
  ): Promise<GuardedResponse> {
    const host = safeHost(url);
    for (let retry = 0; ; retry += 1) {
      await this.slot(signal);
      let response: GuardedResponse;
      try {
        response = await this.options.http.fetch(url, {
          ...init,
          signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs)]),
        });
      } catch (error) {
        if (signal.aborted || error instanceof GuardedFetchError) throw error;
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new RemoteError(
          `${host} unreachable: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
          undefined,
          // A host name that does not resolve will not on the next attempt either.
          cause?.code !== 'ENOTFOUND',
        );
      }
      if (response.status !== 429 && response.status !== 503) return response;
      await response.body?.cancel();
      const wait = retryAfterMs(response.headers.get('retry-after')) ?? 1_000 * 2 ** retry;
      if (retry >= (this.options.maxRateLimitRetries ?? 3) || wait > this.options.maxRetryAfterMs) {
        throw new RemoteError(`${host} answered ${response.status} (rate limited)`, response.status, true);
      }
      await sleep(wait, undefined, { signal });
    }
  }

  private async slot(signal: AbortSignal): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.nextSlot);
    this.nextSlot = at + this.options.minIntervalMs;
    if (at > now) await sleep(at - now, undefined, { signal });
  }
}

/** Retry-After in seconds or as an HTTP date. */
function retryAfterMs(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
