import { mailbox as contracts } from '@foreman/contracts';
import { implementTask } from '@foreman/core/task';
import { and, asc, type Db, eq, lte, mailboxes } from '@foreman/db';
import type { MailboxAccess } from '@foreman/imap';

export interface MailboxTokenDeps {
  db: Db;
  access: Pick<MailboxAccess, 'store' | 'connector'>;
  /** Tokens expiring within this are refreshed (payload `withinMinutes` overrides it). */
  refreshWithinMinutes: number;
}

/**
 * Refreshes OAuth mailbox tokens that expire soon (or have expired). A refresh the provider
 * refuses, or one that cannot be made (no refresh token or endpoint) for a token that has expired,
 * drops the tokens and marks the mailbox as needing re-consent; an unreachable endpoint is an
 * error on that mailbox only, tried again on the next run.
 */
export function cleanupExpiredTokensTask({ db, access, refreshWithinMinutes }: MailboxTokenDeps) {
  return implementTask(contracts.cleanupExpiredTokens, async ({ withinMinutes }, context) => {
    const horizon = new Date(Date.now() + (withinMinutes ?? refreshWithinMinutes) * 60_000);
    const due = await db
      .select()
      .from(mailboxes)
      .where(
        and(
          eq(mailboxes.authKind, 'oauth'),
          eq(mailboxes.needsReconsent, false),
          lte(mailboxes.tokenExpiresAt, horizon),
        ),
      )
      .orderBy(asc(mailboxes.tokenExpiresAt));
    const tally = { checked: due.length, refreshed: 0, needsReconsent: 0 };
    const errors: Array<{ id: string; error: string }> = [];
    for (const [index, row] of due.entries()) {
      context.signal.throwIfAborted();
      try {
        const outcome = await access.connector.refresh(row, context.signal);
        if (outcome.kind === 'refreshed') tally.refreshed += 1;
        else if (outcome.kind === 'needs-reconsent') tally.needsReconsent += 1;
      } catch (error) {
        if (context.signal.aborted) throw error;
        errors.push({ id: row.id, error: (error as Error).message });
        await access.store.setLastError(row.id, (error as Error).message);
      }
      await context.progress(((index + 1) / due.length) * 100, `${index + 1} of ${due.length} mailboxes`);
    }
    return { ...tally, errors };
  });
}

/** Re-seals every mailbox secret under the current key (after MAILBOX_SECRET_KEY changed). */
export function rotateMailboxSecretsTask({ access }: Pick<MailboxTokenDeps, 'access'>) {
  return implementTask(contracts.rotateMailboxSecrets, async ({ batchSize }) =>
    access.store.rotateSecrets(batchSize),
  );
}
