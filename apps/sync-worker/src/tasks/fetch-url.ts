import { createHash } from 'node:crypto';
import { sync } from '@foreman/contracts';
import { implementTask, NonRetryableError } from '@foreman/core/task';
import { type GuardedFetch, GuardedFetchError } from '@foreman/net';

/**
 * Fetches a URL with a conditional request when an ETag is known; 5xx and network errors retry, a
 * refused address (private, loopback, too many redirects) fails for good.
 */
export function fetchUrlTask({
  http,
  maxBytes = 50 * 1024 * 1024,
}: {
  http: GuardedFetch;
  maxBytes?: number;
}) {
  return implementTask(sync.fetchUrl, async ({ url, etag }, context) => {
    const response = await http
      .fetch(url, { headers: etag ? { 'if-none-match': etag } : {}, signal: context.signal })
      .catch((error: unknown) => {
        throw error instanceof GuardedFetchError ? new NonRetryableError(error.message) : error;
      });
    if (response.status === 304) {
      return {
        status: 304,
        notModified: true,
        etag: response.headers.get('etag') ?? etag ?? null,
        bytes: 0,
        sha256: null,
      };
    }
    if (response.status >= 500 || response.status === 429) {
      throw new Error(`${url} answered ${response.status}`);
    }
    if (!response.ok) throw new NonRetryableError(`${url} answered ${response.status}`);
    const hash = createHash('sha256');
    let bytes = 0;
    if (response.body) {
      for await (const chunk of response.body) {
        bytes += chunk.length;
        if (bytes > maxBytes) throw new NonRetryableError(`${url} is larger than ${maxBytes} bytes`);
        hash.update(chunk);
      }
    }
    return {
      status: response.status,
      notModified: false,
      etag: response.headers.get('etag'),
      bytes,
      sha256: hash.digest('hex'),
    };
  });
}
