import { type GuardedFetch, GuardedFetchError } from '@foreman/net';
import { z } from 'zod';
import { defineTool } from './ai-tool.js';
import { ToolError } from './tool-error.js';

/** Bytes of a page read and given to the model; the rest is not downloaded. */
const MAX_BODY_BYTES = 64 * 1024;
const FETCH_TIMEOUT_MS = 15_000;

/** GETs a public http(s) URL through the SSRF guard: private and loopback addresses are refused. */
export function fetchUrlTool({ fetcher }: { fetcher: GuardedFetch }) {
  return defineTool({
    name: 'fetch_url',
    description: `GETs a public http(s) URL and returns its status, content type and the first ${MAX_BODY_BYTES / 1024} KiB of its body.`,
    touches: [{ resource: 'public_web', access: 'read' }],
    input: z.object({ url: z.url({ protocol: /^https?$/ }) }).strict(),
    output: z.object({
      status: z.number().int(),
      contentType: z.string().nullable(),
      body: z.string(),
      truncated: z.boolean(),
    }),
    async run({ url }, { signal }) {
      let response: Awaited<ReturnType<GuardedFetch['fetch']>>;
      try {
        response = await fetcher.fetch(url, {
          signal: AbortSignal.any([signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]),
        });
      } catch (error) {
        if (signal.aborted) throw error;
        if (error instanceof GuardedFetchError) throw new ToolError('REFUSED', error.message, 'fetch_url');
        throw new ToolError('FAILED', `could not fetch ${url}: ${(error as Error).message}`, 'fetch_url');
      }
      return {
        status: response.status,
        contentType: response.headers.get('content-type'),
        ...(await readPrefix(response.body, MAX_BODY_BYTES)),
      };
    },
  });
}

/** The first `maxBytes` of a body as text; the rest is not downloaded. */
async function readPrefix(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<{ body: string; truncated: boolean }> {
  if (!body) return { body: '', truncated: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size <= maxBytes) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  const truncated = size > maxBytes;
  if (truncated) await reader.cancel();
  return { body: new TextDecoder().decode(Buffer.concat(chunks).subarray(0, maxBytes)), truncated };
}
