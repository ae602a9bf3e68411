import { and, apiKeys, type Db, eq, isNull } from '@foreman/db';
import { type Submitter, SYSTEM_SUBMITTER, userSubmitter } from './submitter.js';

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
