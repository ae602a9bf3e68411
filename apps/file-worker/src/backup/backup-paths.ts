import { join, resolve } from 'node:path';

/** A name safe as one path segment: no separators, and never "." or "..". */
export function safeSegment(value: string): string {
  return encodeURIComponent(value).replace(/\./g, '%2E');
}

/** Where a user's backup made by one task lives; the task id makes retries land on the same place. */
export function backupPath(backupDir: string, userId: string, taskId: string): string {
  return join(resolve(backupDir), safeSegment(userId), safeSegment(taskId));
}
