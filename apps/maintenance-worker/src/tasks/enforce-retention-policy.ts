import { maintenance } from '@foreman/contracts';
import { implementTask } from '@foreman/core/task';
import { type Db, HistoryPartitions } from '@foreman/db';

export interface EnforceRetentionPolicyDeps {
  db: Db;
  retentionDays: number;
  batchSize: number;
  /** Weeks of history partitions kept created ahead of the current one. */
  partitionWeeksAhead: number;
}

/**
 * Task history retention (docs/history-partitions.md): creates the weekly partitions ahead, drops
 * the weeks wholly older than the cutoff (what it keeps of them, unfinished tasks and letters not
 * replayed, moves to the DEFAULT partition first), and deletes expired rows of the DEFAULT
 * partitions in short batches that skip rows a writer holds. Safe to retry.
 */
export function enforceRetentionPolicyTask({
  db,
  retentionDays,
  batchSize,
  partitionWeeksAhead,
}: EnforceRetentionPolicyDeps) {
  return implementTask(maintenance.enforceRetentionPolicy, async (payload, context) => {
    const cutoff = new Date(Date.now() - (payload.olderThanDays ?? retentionDays) * 86_400_000);
    const partitions = new HistoryPartitions({
      db,
      weeksAhead: partitionWeeksAhead,
      batchSize: payload.batchSize ?? batchSize,
    });
    const created = await partitions.createAhead();
    await context.progress(10, `${created.length} partitions created ahead`);
    const retained = await partitions.retain(cutoff, context.signal);
    return {
      cutoff: cutoff.toISOString(),
      deleted: retained.deleted,
      batches: retained.batches,
      createdPartitions: created,
      droppedPartitions: retained.dropped,
      kept: retained.kept,
    };
  });
}
