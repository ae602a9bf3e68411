import { and, apiKeys, type Db, eq, isNull } from '@foreman/db';

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

/**
 * Whom a stored schedule or workflow runs as when it fires: its owner, with the rights the owner
 * holds now (an admin key not revoked), so revoking a key also stops what it left behind; the
 * system for one that belongs to no user.
 */
export async function ownerSubmitter(db: Db, ownerUserId: string | null | undefined): Promise<Submitter> {
  if (ownerUserId == null) return SYSTEM_SUBMITTER;
  const [admin] = await db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(and(eq(apiKeys.userId, ownerUserId), eq(apiKeys.admin, true), isNull(apiKeys.revokedAt)))
    .limit(1);
  return userSubmitter(ownerUserId, admin !== undefined);
}
