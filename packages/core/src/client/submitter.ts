/**
 * Who submits a task, named on every submit for a user, retry and replay: a user (and whether
 * with an admin key), or the system itself (declared schedules, workers submitting follow-ups).
 */
export type Submitter =
  | { readonly kind: 'system' }
  | { readonly kind: 'user'; readonly userId: string; readonly admin: boolean };

export const SYSTEM_SUBMITTER: Submitter = Object.freeze({ kind: 'system' });

export const userSubmitter = (userId: string, admin: boolean): Submitter =>
  Object.freeze({ kind: 'user', userId, admin });
