import { EventSourceParserStream } from 'eventsource-parser/stream';
import { z } from 'zod';
import { ChatCompletionError } from './chat-completion-error.js';
import { post, postJson } from './post-json.js';

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
  /**
   * Streams the reply (`stream: true`): called with each piece of text as the server sends it.
   * The turn returned is the same as without it.
   */
  onText?: ((text: string) => void) | undefined;
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

const usageSchema = z.object({ prompt_tokens: z.number(), completion_tokens: z.number() });

/** One `data:` event of a streamed reply; the last one before [DONE] may carry only usage. */
const chunkSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        delta: z
          .object({
            content: z.string().nullable().optional(),
            tool_calls: z
              .array(
                z.object({
                  index: z.number().int().nonnegative(),
                  id: z.string().optional(),
                  function: z
                    .object({ name: z.string().optional(), arguments: z.string().optional() })
                    .optional(),
                }),
              )
              .nullable()
              .optional(),
          })
          .optional(),
      }),
    )
    .default([]),
  usage: usageSchema.nullable().optional(),
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
  usage: usageSchema.optional(),
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
    const body = {
      model,
      messages: request.messages,
      ...(request.tools?.length ? { tools: request.tools } : {}),
      ...(request.maxTokens ? { max_tokens: request.maxTokens } : {}),
    };
    if (request.onText) {
      const streamed = await post(
        this.options,
        '/chat/completions',
        { ...body, stream: true, stream_options: { include_usage: true } },
        signal,
      );
      return readStream(streamed, model, request.onText);
    }
    const response = await postJson(this.options, '/chat/completions', body, signal);
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

/** Reads a streamed reply to its `[DONE]`, passing each piece of text on as it comes. */
async function readStream(
  response: Response,
  requestedModel: string,
  onText: (text: string) => void,
): Promise<ConversationTurn> {
  const malformed = () =>
    new ChatCompletionError('model server sent a malformed stream', response.status, false);
  if (!response.body) throw malformed();
  let content = '';
  let model: string | undefined;
  let usage: z.output<typeof usageSchema> | undefined;
  const calls: Array<{ id: string; name: string; arguments: string }> = [];
  const events = response.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream());
  try {
    for await (const event of events) {
      if (event.data === '[DONE]') {
        return {
          content: content === '' && calls.length > 0 ? null : content,
          toolCalls: calls.map((call) => ({
            id: call.id,
            type: 'function',
            function: { name: call.name, arguments: call.arguments },
          })),
          model: model ?? requestedModel,
          promptTokens: usage?.prompt_tokens ?? 0,
          completionTokens: usage?.completion_tokens ?? 0,
        };
      }
      let data: unknown;
      try {
        data = JSON.parse(event.data);
      } catch {
        throw malformed();
      }
      const chunk = chunkSchema.safeParse(data);
      if (!chunk.success) throw malformed();
      model ??= chunk.data.model;
      usage = chunk.data.usage ?? usage;
      const delta = chunk.data.choices[0]?.delta;
      if (delta?.content) {
        content += delta.content;
        onText(delta.content);
      }
      // A call comes in pieces: its id and name first, then its arguments, by index.
      for (const piece of delta?.tool_calls ?? []) {
        calls[piece.index] ??= { id: '', name: '', arguments: '' };
        const call = calls[piece.index] as { id: string; name: string; arguments: string };
        if (piece.id) call.id = piece.id;
        call.name += piece.function?.name ?? '';
        call.arguments += piece.function?.arguments ?? '';
      }
    }
  } catch (error) {
    if (error instanceof ChatCompletionError) throw error;
    throw new ChatCompletionError(`model stream broke: ${(error as Error).message}`, response.status, true);
  }
  throw new ChatCompletionError('model server ended the stream before [DONE]', response.status, true);
}
