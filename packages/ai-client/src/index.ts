export {
  type ChatAnswer,
  ChatClient,
  type ChatClientOptions,
  type ChatRequest,
} from './chat-client.js';
export { chatClientFromEnv } from './chat-client-from-env.js';
export { ChatCompletionError } from './chat-completion-error.js';
export { EmbeddingClient, type EmbeddingClientOptions } from './embedding-client.js';
