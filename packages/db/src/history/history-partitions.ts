import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../database.js';

/** A partition's span: one week, in milliseconds. */
export const WEEK_MS = 7 * 86_400_000;
/** Finished statuses: the only tasks retention deletes, as it always has. */
const FINISHED = sql`('completed', 'failed', 'cancelled')`;
/** Any fixed number: two maintenance runs never change the partitions at once. */
const PARTITIONS_LOCK = 7_301_118;

/** A partitioned history table, its partition key, and what retention keeps of an expired week. */
interface HistoryTable {
  table: 'tasks' | 'dead_letters';
  key: string;
  /** The rows of an expired week that stay (moved to the DEFAULT partition) rather than go. */
  kept: (cutoff: Date) => SQL;
  /** The rows of the DEFAULT partition that retention deletes, row by row. */
  expired: (cutoff: Date) => SQL;
}

const TABLES: readonly HistoryTable[] = [
  {
    table: 'tasks',
    key: 'created_at',
    // Exactly the rows the row-by-row retention never deleted: unfinished, or finished recently.
    kept: (cutoff) => sql`not (status in ${FINISHED} and coalesce(completed_at, created_at) < ${cutoff})`,
    expired: (cutoff) => sql`status in ${FINISHED} and coalesce(completed_at, created_at) < ${cutoff}`,
  },
  {
    table: 'dead_letters',
    key: 'task_created_at',
    // A letter not replayed is still an operator's to look at.
    kept: () => sql`replayed_as is null`,
    expired: (cutoff) => sql`replayed_as is not null and task_created_at < ${cutoff}`,
  },
];

export interface HistoryPartitionsOptions {
  db: Db;
  /**
   * Weeks created ahead of the current one, so rows always have a partition waiting; a row with no
   * partition still lands, in the DEFAULT one.
   * @defaultValue 4
   */
  weeksAhead?: number;
  /** Rows per statement when retention deletes rows (DEFAULT partitions, ids of dropped weeks). @defaultValue 1000 */
  batchSize?: number;
  /**
   * `lock_timeout` of the statements that attach and detach partitions, in milliseconds: they
   * wait this long for running queries on the table, then fail (to be retried) instead of making
   * every writer queue behind them.
   * @defaultValue 5000
   */
  lockTimeoutMs?: number;
}

/** One week's partition of a history table. */
export interface HistoryPartition {
  table: 'tasks' | 'dead_letters';
  name: string;
  /** Monday 00:00 UTC the week starts; the partition holds keys in [from, from + 7 days). */
  from: Date;
}

export interface HistoryRetention {
  /** Partitions detached and dropped (every one of their weeks ended before the cutoff). */
  dropped: string[];
  /** Rows of dropped partitions that retention keeps, moved to the DEFAULT partitions. */
  kept: number;
  /** Rows deleted one by one from the DEFAULT partitions. */
  deleted: number;
  /** Statements that deleted rows. */
  batches: number;
}

/**
 * The weekly partitions of `tasks` and `dead_letters` (docs/history-partitions.md): creates them
 * ahead, and applies retention by dropping whole weeks instead of deleting rows.
 */
export class HistoryPartitions {
  private readonly db: Db;
  private readonly weeksAhead: number;
  private readonly batchSize: number;
  private readonly lockTimeoutMs: number;

  constructor(options: HistoryPartitionsOptions) {
    this.db = options.db;
    this.weeksAhead = options.weeksAhead ?? 4;
    this.batchSize = options.batchSize ?? 1_000;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 5_000;
    if (!Number.isInteger(this.weeksAhead) || this.weeksAhead < 0 || this.weeksAhead > 520) {
      throw new RangeError(`weeksAhead must be a whole number from 0 to 520, got ${this.weeksAhead}`);
    }
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new RangeError(`batchSize must be a positive whole number, got ${this.batchSize}`);
    }
    if (!Number.isInteger(this.lockTimeoutMs) || this.lockTimeoutMs < 1) {
      throw new RangeError(`lockTimeoutMs must be a positive whole number, got ${this.lockTimeoutMs}`);
    }
  }

  /** The weekly partitions there are, oldest first (the DEFAULT ones are not listed). */
  async list(): Promise<HistoryPartition[]> {
    const { rows } = await this.db.execute<{ parent: string; name: string }>(
      sql`select p.relname as parent, c.relname as name
          from pg_inherits i
          join pg_class c on c.oid = i.inhrelid
          join pg_class p on p.oid = i.inhparent
          where p.relnamespace = current_schema()::regnamespace and p.relname in ('tasks', 'dead_letters')`,
    );
    return rows
      .map((row) => partitionOf(row.parent as HistoryPartition['table'], row.name))
      .filter((partition) => partition !== undefined)
      .sort((a, b) => a.from.getTime() - b.from.getTime() || a.table.localeCompare(b.table));
  }

  /**
   * Creates the partitions of the week of `now` and of `weeksAhead` weeks after it that are
   * missing. Rows of such a week already in the DEFAULT partition move into the new one.
   * @returns the names of the partitions created
   */
  async createAhead(now = new Date()): Promise<string[]> {
    const existing = new Set((await this.list()).map((partition) => partition.name));
    const created: string[] = [];
    const first = weekStart(now).getTime();
    for (let week = 0; week <= this.weeksAhead; week += 1) {
      const from = new Date(first + week * WEEK_MS);
      for (const { table, key } of TABLES) {
        const name = partitionName(table, from);
        if (existing.has(name)) continue;
        if (await this.create(table, key, name, from)) created.push(name);
      }
    }
    return created;
  }

  /**
   * Retention: drops the partitions whose whole week is older than `cutoff`, after moving the rows
   * it keeps (unfinished tasks, letters not replayed) to the DEFAULT partition; then deletes the
   * expired rows of the DEFAULT partitions in batches, and the ids of what went.
   */
  async retain(cutoff: Date, signal?: AbortSignal): Promise<HistoryRetention> {
    const result: HistoryRetention = { dropped: [], kept: 0, deleted: 0, batches: 0 };
    for (const partition of await this.list()) {
      signal?.throwIfAborted();
      if (partition.from.getTime() + WEEK_MS > cutoff.getTime()) continue;
      const table = TABLES.find((candidate) => candidate.table === partition.table) as HistoryTable;
      result.kept += await this.drop(table, partition.name, cutoff);
      result.dropped.push(partition.name);
      // Ids are bookkeeping, not history: not counted as deleted rows.
      if (table.table === 'tasks') {
        await this.repeat(signal, (limit) => this.deleteIdsOfDroppedWeek(partition.from, limit));
      }
    }
    for (const table of TABLES) {
      const { batches, deleted } = await this.repeat(signal, (limit) =>
        this.deleteExpiredDefaultRows(table, cutoff, limit),
      );
      result.batches += batches;
      result.deleted += deleted;
    }
    return result;
  }

  private async create(table: string, key: string, name: string, from: Date): Promise<boolean> {
    const to = new Date(from.getTime() + WEEK_MS);
    const parent = sql.identifier(table);
    const partition = sql.identifier(name);
    const fallback = sql.identifier(`${table}_default`);
    const column = sql.identifier(key);
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${PARTITIONS_LOCK})`);
      await tx.execute(sql.raw(`set local lock_timeout = ${this.lockTimeoutMs}`));
      const found = await tx.execute<{ exists: boolean }>(
        sql`select to_regclass(${name}) is not null as exists`,
      );
      if (found.rows[0]?.exists) return false;
      // Held to the commit: a row of this week routed to DEFAULT meanwhile would fail the attach.
      await tx.execute(sql`lock table ${fallback} in exclusive mode`);
      await tx.execute(
        sql`create table ${partition} (like ${parent} including defaults including constraints)`,
      );
      await tx.execute(
        sql`with moved as (
              delete from ${fallback} where ${column} >= ${from} and ${column} < ${to} returning *)
            insert into ${partition} select * from moved`,
      );
      await tx.execute(
        sql`alter table ${parent} attach partition ${partition} for values from (${literal(from)}) to (${literal(to)})`,
      );
      return true;
    });
  }

  /** Detaches and drops one expired partition, first moving the rows kept to DEFAULT. */
  private async drop(table: HistoryTable, name: string, cutoff: Date): Promise<number> {
    const parent = sql.identifier(table.table);
    const partition = sql.identifier(name);
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${PARTITIONS_LOCK})`);
      await tx.execute(sql.raw(`set local lock_timeout = ${this.lockTimeoutMs}`));
      await tx.execute(sql`alter table ${parent} detach partition ${partition}`);
      // No partition covers the week any more: these rows route to DEFAULT.
      const kept = await tx.execute<{ one: number }>(
        sql`insert into ${parent} select * from ${partition} where ${table.kept(cutoff)} returning 1 as one`,
      );
      await tx.execute(sql`drop table ${partition}`);
      return kept.rows.length;
    });
  }

  /** Ids of a dropped week whose task did not stay (in DEFAULT); only DEFAULT can hold it now. */
  private async deleteIdsOfDroppedWeek(from: Date, limit: number): Promise<number> {
    const to = new Date(from.getTime() + WEEK_MS);
    const { rows } = await this.db.execute<{ id: string }>(
      sql`delete from task_ids where id in (
            select i.id from task_ids i
            where i.created_at >= ${from} and i.created_at < ${to}
              and not exists (select 1 from tasks_default t where t.id = i.id and t.created_at = i.created_at)
            limit ${limit})
          returning id`,
    );
    return rows.length;
  }

  /** One batch of expired DEFAULT rows; `skip locked` steps past rows a writer holds. */
  private async deleteExpiredDefaultRows(table: HistoryTable, cutoff: Date, limit: number): Promise<number> {
    const fallback = sql.identifier(`${table.table}_default`);
    if (table.table === 'tasks') {
      const { rows } = await this.db.execute<{ deleted: number }>(
        sql`with gone as (
              delete from ${fallback} where ctid in (
                select ctid from ${fallback} where ${table.expired(cutoff)} limit ${limit} for update skip locked)
              returning id),
            ids as (delete from task_ids where id in (select id from gone))
            select count(*)::int as deleted from gone`,
      );
      return rows[0]?.deleted ?? 0;
    }
    const { rows } = await this.db.execute<{ deleted: number }>(
      sql`with gone as (
            delete from ${fallback} where ctid in (
              select ctid from ${fallback} where ${table.expired(cutoff)} limit ${limit} for update skip locked)
            returning 1)
          select count(*)::int as deleted from gone`,
    );
    return rows[0]?.deleted ?? 0;
  }

  /** Runs `batch` until it deletes less than a full batch; returns the statements and rows. */
  private async repeat(
    signal: AbortSignal | undefined,
    batch: (limit: number) => Promise<number>,
  ): Promise<{ batches: number; deleted: number }> {
    const total = { batches: 0, deleted: 0 };
    for (;;) {
      signal?.throwIfAborted();
      const deleted = await batch(this.batchSize);
      total.batches += 1;
      total.deleted += deleted;
      if (deleted < this.batchSize) return total;
      // Let the record writers in between batches.
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** Monday 00:00 UTC of the week `at` falls in (ISO weeks, as date_trunc('week') counts them). */
export function weekStart(at: Date): Date {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * 86_400_000);
}

/** `tasks_p20261123`: the table and the day (UTC) its week starts. */
export function partitionName(table: string, from: Date): string {
  return `${table}_p${from.toISOString().slice(0, 10).replaceAll('-', '')}`;
}

function partitionOf(table: HistoryPartition['table'], name: string): HistoryPartition | undefined {
  const match = /_p(\d{4})(\d{2})(\d{2})$/.exec(name);
  if (!match || name !== `${table}_p${match[1]}${match[2]}${match[3]}`) return undefined;
  return { table, name, from: new Date(`${match[1]}-${match[2]}-${match[3]}T00:00:00Z`) };
}

/** A timestamp as a DDL literal (partition bounds take no bound parameters). */
function literal(at: Date): SQL {
  return sql.raw(`'${at.toISOString()}'`);
}
