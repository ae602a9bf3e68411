import type { SubmitQuota } from '@foreman/core/worker';

export type { SubmitQuota } from '@foreman/core';

/** Submits within `quota` when one is set (see SubmitQuota.around), else just submits. */
export function withinQuota<T>(
  quota: SubmitQuota | undefined,
  userId: string,
  tasks: number,
  submit: () => Promise<T>,
): Promise<T> {
  return quota ? quota.around(userId, tasks, submit) : submit();
}
