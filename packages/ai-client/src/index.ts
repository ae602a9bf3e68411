export {
  type ChatAnswer,
  ChatClient,
  type ChatClientOptions,
  type ChatMessage,
  type ChatRequest,
  type ConversationRequest,
  type ConversationTurn,
  type ToolCall,
  type ToolSpec,
} from './chat-client.js';
export { chatClientFromEnv } from './chat-client-from-env.js';
export { ChatCompletionError } from './chat-completion-error.js';
export { EmbeddingClient, type EmbeddingClientOptions } from './embedding-client.js';
