import { z } from 'zod';
import { ChatCompletionError } from './chat-completion-error.js';
import { postJson } from './post-json.js';

export interface EmbeddingClientOptions {
  /** The server's base URL, ending in /v1. */
  baseUrl: string;
  apiKey?: string | undefined;
  model: string;
  /** @defaultValue 120000 */
  timeoutMs?: number;
  /** Texts sent in one request; more are split into several. @defaultValue 64 */
  batchSize?: number;
}

const embeddingsSchema = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
});

/** A minimal client of the OpenAI `/v1/embeddings` protocol. */
export class EmbeddingClient {
  private readonly batchSize: number;

  constructor(private readonly options: EmbeddingClientOptions) {
    this.batchSize = options.batchSize ?? 64;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new TypeError('EmbeddingClient: batchSize must be a whole number of at least 1');
    }
  }

  /** One vector per input, in the inputs' order; all of one length. */
  async embed(inputs: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < inputs.length; start += this.batchSize) {
      vectors.push(...(await this.embedBatch(inputs.slice(start, start + this.batchSize), signal)));
    }
    if (new Set(vectors.map((vector) => vector.length)).size > 1) {
      throw new ChatCompletionError('model server sent embeddings of different lengths', 200, false);
    }
    return vectors;
  }

  private async embedBatch(input: string[], signal?: AbortSignal): Promise<number[][]> {
    const response = await postJson(
      this.options,
      '/embeddings',
      { model: this.options.model, input },
      signal,
    );
    const parsed = embeddingsSchema.safeParse(response.body);
    if (!parsed.success || parsed.data.data.length !== input.length) {
      throw new ChatCompletionError('model server sent malformed embeddings', response.status, false);
    }
    // The protocol allows any order; `index` says whose vector each is.
    const vectors: number[][] = new Array(input.length);
    for (const item of parsed.data.data) vectors[item.index] = item.embedding;
    if (vectors.some((vector) => vector === undefined)) {
      throw new ChatCompletionError('model server sent malformed embeddings', response.status, false);
    }
    return vectors;
  }
}
