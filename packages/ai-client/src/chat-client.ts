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

/** A call the model asks for, as the protocol sends it: `arguments` is JSON text the model wrote. */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A message of a conversation, in the protocol's own shape (so it is sent back as it is). */
export type ChatMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

/** A tool the model may call; `parameters` is the JSON Schema of its arguments. */
export interface ToolSpec {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export interface ConversationRequest {
  messages: readonly ChatMessage[];
  tools?: readonly ToolSpec[] | undefined;
  model?: string | undefined;
  maxTokens?: number | undefined;
}

/** One reply of the model: text, tool calls, or both. */
export interface ConversationTurn {
  content: string | null;
  toolCalls: ToolCall[];
  model: string;
  promptTokens: number;
  completionTokens: number;
}

const toolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function').default('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

const completionSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullable().optional(),
          tool_calls: z.array(toolCallSchema).nullable().optional(),
        }),
      }),
    )
    .min(1),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).optional(),
});

/** A minimal client of the OpenAI chat-completions protocol. */
export class ChatClient {
  constructor(private readonly options: ChatClientOptions) {}

  /** One prompt, one answer. */
  async complete(request: ChatRequest, signal?: AbortSignal): Promise<ChatAnswer> {
    const turn = await this.converse(
      {
        messages: [
          ...(request.system ? [{ role: 'system' as const, content: request.system }] : []),
          { role: 'user', content: request.prompt },
        ],
        model: request.model,
        maxTokens: request.maxTokens,
      },
      signal,
    );
    const { content, toolCalls: _toolCalls, ...usage } = turn;
    return { answer: content ?? '', ...usage };
  }

  /** One turn of a conversation that may offer tools: the model answers or asks for tool calls. */
  async converse(request: ConversationRequest, signal?: AbortSignal): Promise<ConversationTurn> {
    const model = request.model ?? this.options.model;
    const response = await postJson(
      this.options,
      '/chat/completions',
      {
        model,
        messages: request.messages,
        ...(request.tools?.length ? { tools: request.tools } : {}),
        ...(request.maxTokens ? { max_tokens: request.maxTokens } : {}),
      },
      signal,
    );
    const parsed = completionSchema.safeParse(response.body);
    if (!parsed.success) {
      throw new ChatCompletionError('model server sent a malformed completion', response.status, false);
    }
    const message = parsed.data.choices[0]?.message;
    return {
      content: message?.content ?? null,
      toolCalls: message?.tool_calls ?? [],
      model: parsed.data.model ?? model,
      promptTokens: parsed.data.usage?.prompt_tokens ?? 0,
      completionTokens: parsed.data.usage?.completion_tokens ?? 0,
    };
  }
}
