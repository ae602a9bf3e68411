import type { AnyTaskImplementation } from '@foreman/core';
import { checksumFileTask } from './checksum-file.js';

export function fileTasks(deps: { roots: readonly string[] }): AnyTaskImplementation[] {
  return [checksumFileTask(deps)];
}
