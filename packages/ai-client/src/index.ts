export {
  type ChatAnswer,
  ChatClient,
  type ChatClientOptions,
  type ChatRequest,
} from './chat-client.js';
export { ChatCompletionError } from './chat-completion-error.js';
