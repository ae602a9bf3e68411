import { z } from 'zod';
import { ChatCompletionError } from './chat-completion-error.js';
import { postJson } from './post-json.js';

export interface ChatClientOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  model: string;
  timeoutMs?: number;
}

export interface ChatRequest {
  prompt: string;
  system?: string | undefined;
  model?: string | undefined;
  maxTokens?: number | undefined;
}

export interface ChatAnswer {
  answer: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
}

const completionSchema = z.object({
  model: z.string().optional(),
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).optional(),
});

/** A minimal client of the OpenAI chat-completions protocol. */
export class ChatClient {
  constructor(private readonly options: ChatClientOptions) {}

  async complete(request: ChatRequest, signal?: AbortSignal): Promise<ChatAnswer> {
    const model = request.model ?? this.options.model;
    const messages = [
      ...(request.system ? [{ role: 'system', content: request.system }] : []),
      { role: 'user', content: request.prompt },
    ];
    const response = await postJson(
      this.options,
      '/chat/completions',
      { model, messages, ...(request.maxTokens ? { max_tokens: request.maxTokens } : {}) },
      signal,
    );
    const parsed = completionSchema.safeParse(response.body);
    if (!parsed.success) {
      throw new ChatCompletionError('model server sent a malformed completion', response.status, false);
    }
    return {
      answer: parsed.data.choices[0]?.message.content ?? '',
      model: parsed.data.model ?? model,
      promptTokens: parsed.data.usage?.prompt_tokens ?? 0,
      completionTokens: parsed.data.usage?.completion_tokens ?? 0,
    };
  }
}
