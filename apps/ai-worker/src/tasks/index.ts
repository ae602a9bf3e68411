import type { AnyTaskImplementation } from '@foreman/core';
import type { ChatClient } from '../client/chat-client.js';
import { completePromptTask } from './complete-prompt.js';

export function aiTasks(deps: { chat: ChatClient }): AnyTaskImplementation[] {
  return [completePromptTask(deps)];
}
