import { maintenance } from '@foreman/contracts';
import { implementTask } from '@foreman/core/task';
import { type Db, sql } from '@foreman/db';

export interface EnforceRetentionPolicyDeps {
  db: Db;
  retentionDays: number;
  batchSize: number;
}

/**
 * Deletes finished task records older than the cutoff, one short transaction per batch. `skip
 * locked` steps past rows another process holds, so the clean-up never waits on, or blocks, the
 * workers writing records. Safe to retry: each batch is complete or not at all.
 */
export function enforceRetentionPolicyTask({ db, retentionDays, batchSize }: EnforceRetentionPolicyDeps) {
  return implementTask(maintenance.enforceRetentionPolicy, async (payload, context) => {
    const cutoff = new Date(Date.now() - (payload.olderThanDays ?? retentionDays) * 86_400_000);
    const size = payload.batchSize ?? batchSize;
    let deleted = 0;
    let batches = 0;
    for (;;) {
      context.signal.throwIfAborted();
      const batch = await db.execute<{ id: string }>(
        sql`delete from tasks where id in (
              select id from tasks
              where status in ('completed', 'failed', 'cancelled')
                and coalesce(completed_at, created_at) < ${cutoff}
              limit ${size}
              for update skip locked)
            returning id`,
      );
      batches += 1;
      deleted += batch.rows.length;
      await context.progress(0, `${deleted} records deleted`);
      if (batch.rows.length < size) break;
      // Let the record writers in between batches.
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return { cutoff: cutoff.toISOString(), deleted, batches };
  });
}
