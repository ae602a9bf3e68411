import type { ChatEnv } from '@foreman/config';
import { ChatClient } from './chat-client.js';

/** The ChatClient an app's AI_* settings (`chatEnvSchema`) describe. */
export function chatClientFromEnv(env: ChatEnv): ChatClient {
  return new ChatClient({
    baseUrl: env.AI_BASE_URL,
    apiKey: env.AI_API_KEY,
    model: env.AI_MODEL,
    timeoutMs: env.AI_REQUEST_TIMEOUT_MS,
  });
}
