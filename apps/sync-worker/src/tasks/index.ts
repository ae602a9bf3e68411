import type { AnyTaskImplementation } from '@foreman/core';
import { fetchUrlTask } from './fetch-url.js';

export function syncTasks(): AnyTaskImplementation[] {
  return [fetchUrlTask()];
}
